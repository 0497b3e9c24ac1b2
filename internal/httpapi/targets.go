package httpapi

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/portico-dev/portico/internal/model"
)

// TargetsTag is the VPC link tag naming the upstreams of every private
// integration through that link: host:port addresses separated by
// commas or spaces, e.g. "portico:targets" = "10.0.0.5:8080,10.0.0.6:8080".
const TargetsTag = "portico:targets"

// Targets resolves the target of a private integration — a load
// balancer listener ARN or a Cloud Map service ARN (integrations-v2.md
// §2.3) — to host:port upstreams, as VPC links reach them in AWS.
//
// Resolution order:
//  1. Targets[ARN] (the ARN exactly as the integration names it, then
//     without a Cloud Map query string);
//  2. the VPC link's TargetsTag.
//
// Requests are spread round-robin over the upstreams. Cloud Map
// attribute filters (the ARN's query string) select an entry of Targets
// when one is keyed with them; they are not evaluated otherwise.
type Targets map[string][]string

// Resolve returns the upstreams for targetARN through link.
func (t Targets) Resolve(targetARN string, link *model.V2VpcLink) ([]string, error) {
	if ups := t[targetARN]; len(ups) > 0 {
		return ups, nil
	}
	if base, _, ok := strings.Cut(targetARN, "?"); ok {
		if ups := t[base]; len(ups) > 0 {
			return ups, nil
		}
	}
	if link != nil {
		if v := link.Tags[TargetsTag]; v != "" {
			return ParseUpstreams(v)
		}
	}
	return nil, fmt.Errorf("no upstreams for %s: add it to the targets file or tag VPC link with %s", targetARN, TargetsTag)
}

// ParseUpstreams parses "host:port[,host:port…]" (commas or spaces).
func ParseUpstreams(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if _, _, err := net.SplitHostPort(f); err != nil {
			return nil, fmt.Errorf("upstream %q: want host:port", f)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no upstreams in %q", s)
	}
	return out, nil
}

// LoadTargets reads a targets file: a JSON object from target ARN to a
// list of host:port upstreams, e.g.
//
//	{"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/abc/def": ["127.0.0.1:8080"]}
func LoadTargets(path string) (Targets, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read targets file: %w", err)
	}
	var t Targets
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse targets file %s: %w", path, err)
	}
	for arn, ups := range t {
		if _, err := ParseUpstreams(strings.Join(ups, ",")); err != nil {
			return nil, fmt.Errorf("targets file %s, %s: %w", path, arn, err)
		}
	}
	return t, nil
}
