package httpapi

import (
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/vpclink"
)

// TestResolveUpstreams: the targets mapping wins over the VPC link tag; a
// Cloud Map ARN's attribute filters fall back to the bare ARN
// (integrations-v2.md §2.3).
func TestResolveUpstreams(t *testing.T) {
	const listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/1/2"
	const cloudMap = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc"
	tg := vpclink.Targets{listener: {"10.0.0.1:80", "10.0.0.2:80"}, cloudMap: {"127.0.0.1:9000"}}
	link := &model.V2VpcLink{Tags: map[string]string{TargetsTag: "127.0.0.1:1 127.0.0.1:2"}}
	for _, tc := range []struct{ name, arn, want string }{
		{"mapping entry", listener, "10.0.0.1:80,10.0.0.2:80"},
		{"cloud map filters fall back to the bare ARN", cloudMap + "?stage=prod", "127.0.0.1:9000"},
		{"link tag otherwise", "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/x/1/2", "127.0.0.1:1,127.0.0.1:2"},
	} {
		ups, err := resolveUpstreams(tg, tc.arn, link)
		if err != nil || strings.Join(ups, ",") != tc.want {
			t.Errorf("%s: %v %v", tc.name, ups, err)
		}
	}
	if _, err := resolveUpstreams(tg, "arn:unknown", &model.V2VpcLink{}); err == nil {
		t.Error("unresolvable target resolved")
	}
}

func FuzzParseUpstreams(f *testing.F) {
	for _, s := range []string{"10.0.0.5:8080,10.0.0.6:8080", "a:1 b:2", "", "[::1]:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ups, err := vpclink.ParseUpstreams(s)
		if err == nil && len(ups) == 0 {
			t.Fatal("no error and no upstreams")
		}
	})
}
