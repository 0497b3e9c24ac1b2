package httpapi

import (
	"fmt"

	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/vpclink"
)

// TargetsTag is the VPC link tag naming the upstreams of every private
// integration through that link: host:port addresses separated by
// commas or spaces, e.g. "portico:targets" = "10.0.0.5:8080,10.0.0.6:8080".
const TargetsTag = "portico:targets"

// resolveUpstreams returns the upstreams of a private integration's
// target — a load balancer listener ARN or a Cloud Map service ARN
// (integrations-v2.md §2.3): the targets mapping (--vpc-link-target,
// --vpc-link-targets) first, then the VPC link's TargetsTag.
func resolveUpstreams(t vpclink.Targets, targetARN string, link *model.V2VpcLink) ([]string, error) {
	if ups, ok := t.Upstreams(targetARN); ok {
		return ups, nil
	}
	if link != nil {
		if v := link.Tags[TargetsTag]; v != "" {
			return vpclink.ParseUpstreams(v)
		}
	}
	return nil, fmt.Errorf("no upstreams for %s: map it with --vpc-link-target or tag the VPC link with %s", targetARN, TargetsTag)
}
