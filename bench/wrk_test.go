package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

const wrkSample = `Running 2s test @ http://127.0.0.1:18080/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.33us  301.20us  12.01ms   91.02%
    Req/Sec    39.10k     2.01k   43.20k    70.00%
  Latency Distribution
     50%  350.00us
     75%  480.12us
     90%  690.00us
     99%    1.52ms
  155012 requests in 2.00s, 22.03MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  77481.52
Transfer/sec:     11.01MB
`

func TestParseWrk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		out     string
		want    load
		wantErr bool
	}{
		{"errors are socket errors plus non-2xx", wrkSample, load{RPS: 77481.52, P50: 350 * time.Microsecond, P99: 1520 * time.Microsecond, Requests: 155012, Errors: 7}, false},
		{"output without a latency distribution is an error", "Requests/sec: 10.0\n", load{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseWrk(tc.out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLuaString(t *testing.T) {
	t.Parallel()
	if got, want := luaString("a\"b\\c\n\x01"), `"a\"b\\c\n\001"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// The harness never loads anything but loopback.
func TestRunRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	w := &wrkRunner{bin: "/nonexistent/wrk", dir: t.TempDir()}
	for _, u := range []string{"http://example.com/", "http://localhost:80/", "https://127.0.0.1:443/", "http://10.0.0.1:80/"} {
		if _, err := w.run(context.Background(), target{URL: u}, 1, time.Second); err == nil || !strings.Contains(err.Error(), "only 127.0.0.1") {
			t.Errorf("%s: err %v, want a refusal", u, err)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
