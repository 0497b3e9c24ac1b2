// Package vpclink resolves private integrations: a VPC link's target ARN
// (a network or application load balancer, a listener, a Cloud Map
// service) means nothing off AWS, so Portico maps each ARN to host:port
// upstreams (integrations-v1.md §4.1, integrations-v2.md §2.3) and spreads
// requests over them round-robin, skipping an upstream that refused a
// connection for a while (passive health). It does no I/O of its own.
package vpclink

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Targets maps target ARNs to host:port upstreams.
type Targets map[string][]string

// Upstreams returns the addresses for arn: the ARN as written, then
// without a Cloud Map query string.
func (t Targets) Upstreams(arn string) ([]string, bool) {
	if ups := t[arn]; len(ups) > 0 {
		return ups, true
	}
	if base, _, ok := strings.Cut(arn, "?"); ok {
		if ups := t[base]; len(ups) > 0 {
			return ups, true
		}
	}
	return nil, false
}

// ParseUpstreams parses "host:port[,host:port…]" (commas or spaces).
func ParseUpstreams(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if _, port, err := net.SplitHostPort(f); err != nil || port == "" {
			return nil, fmt.Errorf("upstream %q: want host:port", f)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no upstreams in %q", s)
	}
	return out, nil
}

// ParseFlag parses one --vpc-link-target value: ARN=host:port[,host:port].
func ParseFlag(v string) (arn string, ups []string, err error) {
	i := strings.LastIndexByte(v, '=')
	if i <= 0 {
		return "", nil, fmt.Errorf("vpc link target %q: want ARN=host:port[,host:port]", v)
	}
	ups, err = ParseUpstreams(v[i+1:])
	if err != nil {
		return "", nil, fmt.Errorf("vpc link target %q: %w", v, err)
	}
	return v[:i], ups, nil
}

// Load reads a targets file: a JSON object from target ARN to a list of
// host:port upstreams, e.g.
//
//	{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/abc": ["127.0.0.1:8080"]}
func Load(path string) (Targets, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vpc link targets: %w", err)
	}
	var t Targets
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse vpc link targets %s: %w", path, err)
	}
	for arn, ups := range t {
		if _, err := ParseUpstreams(strings.Join(ups, ",")); err != nil {
			return nil, fmt.Errorf("vpc link targets %s, %s: %w", path, arn, err)
		}
	}
	return t, nil
}

// DownFor is how long an upstream that refused a connection is skipped.
const DownFor = 10 * time.Second

// Pool spreads requests over upstreams. Safe for concurrent use.
type Pool struct {
	ups  []string
	next atomic.Uint64
	down []atomic.Int64 // unix nanos until which the upstream is skipped
}

// NewPool returns a Pool over ups (at least one).
func NewPool(ups []string) *Pool {
	return &Pool{ups: ups, down: make([]atomic.Int64, len(ups))}
}

// Len is the number of upstreams.
func (p *Pool) Len() int { return len(p.ups) }

// Pick returns the next upstream in round-robin order that is not marked
// down; when all are down it returns the next one anyway.
func (p *Pool) Pick(now time.Time) (int, string) {
	n := uint64(len(p.ups))
	start := p.next.Add(1) - 1
	for i := uint64(0); i < n; i++ {
		idx := int((start + i) % n)
		if p.down[idx].Load() <= now.UnixNano() {
			return idx, p.ups[idx]
		}
	}
	idx := int(start % n)
	return idx, p.ups[idx]
}

// MarkDown skips upstream idx until now+DownFor.
func (p *Pool) MarkDown(idx int, now time.Time) {
	p.down[idx].Store(now.Add(DownFor).UnixNano())
}

// Link is a VPC link as the data plane sees it.
type Link struct {
	ID        string
	Pool      *Pool // nil when the link's target has no upstreams
	Upstreams []string
	Err       error // why Pool is nil
}
