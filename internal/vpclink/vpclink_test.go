package vpclink

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseFlag(t *testing.T) {
	for _, tc := range []struct {
		in      string
		arn     string
		ups     int
		wantErr bool
	}{
		{"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/a/b=127.0.0.1:80", "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/a/b", 1, false},
		{"arn:x=127.0.0.1:80,127.0.0.2:81", "arn:x", 2, false},
		{"arn:x", "", 0, true},
		{"arn:x=nohost", "", 0, true},
		{"=127.0.0.1:80", "", 0, true},
	} {
		arn, ups, err := ParseFlag(tc.in)
		if (err != nil) != tc.wantErr || arn != tc.arn || len(ups) != tc.ups {
			t.Errorf("%q: %q %v %v", tc.in, arn, ups, err)
		}
	}
}

func TestLoadAndCloudMapQuery(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.json")
	os.WriteFile(p, []byte(`{"arn:aws:servicediscovery:us-east-1:1:service/srv-1":["127.0.0.1:9000"]}`), 0o600)
	tg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if ups, ok := tg.Upstreams("arn:aws:servicediscovery:us-east-1:1:service/srv-1?stage=prod"); !ok || ups[0] != "127.0.0.1:9000" {
		t.Fatalf("query-string ARN: %v %v", ups, ok)
	}
	os.WriteFile(p, []byte(`{"a":["bad"]}`), 0o600)
	if _, err := Load(p); err == nil {
		t.Fatal("bad upstream accepted")
	}
}

// TestPoolRoundRobinAndPassiveHealth: requests rotate over upstreams; an
// upstream marked down is skipped until DownFor passes; when all are down
// one is still returned.
func TestPoolRoundRobinAndPassiveHealth(t *testing.T) {
	p := NewPool([]string{"a:1", "b:1", "c:1"})
	now := time.Unix(1000, 0)
	seen := map[string]int{}
	for i := 0; i < 6; i++ {
		_, u := p.Pick(now)
		seen[u]++
	}
	if seen["a:1"] != 2 || seen["b:1"] != 2 || seen["c:1"] != 2 {
		t.Fatalf("round robin: %v", seen)
	}
	p.MarkDown(1, now)
	for i := 0; i < 6; i++ {
		if _, u := p.Pick(now); u == "b:1" {
			t.Fatal("down upstream picked")
		}
	}
	if _, u := p.Pick(now.Add(DownFor + time.Second)); u == "" {
		t.Fatal("no pick")
	}
	p.MarkDown(0, now)
	p.MarkDown(2, now)
	if _, u := p.Pick(now); u == "" {
		t.Fatal("all down must still pick one")
	}
}
