package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/vpclink"
)

// ReloadLinks rereads the REST VPC links and maps each to its upstreams
// (integrations-v1.md §4.1). Pools of links whose upstreams did not
// change are kept, with their round-robin and health state.
func (d *Deployer) ReloadLinks(ctx context.Context) error {
	var links []*model.VpcLink
	err := d.cfg.Store.View(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(d.cfg.VpcLinkPrefix, "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			l := new(model.VpcLink)
			if err := json.Unmarshal(kv.Value, l); err != nil {
				return err
			}
			links = append(links, l)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read vpc links: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.links.Load()
	next := map[string]*vpclink.Link{}
	for _, l := range links {
		link := &vpclink.Link{ID: l.ID}
		var ups []string
		for _, arn := range l.TargetArns {
			if u, ok := d.cfg.Targets.Upstreams(arn); ok {
				ups = u
				break
			}
		}
		if ups == nil {
			link.Err = fmt.Errorf("vpc link %s: no upstreams for target %v; map it with --vpc-link-target ARN=host:port or --vpc-link-targets FILE", l.ID, l.TargetArns)
			if old == nil || (*old)[l.ID] == nil {
				d.cfg.Log.Warn("vpc link target has no upstreams", "vpcLink", l.ID, "targetArns", l.TargetArns)
			}
		} else if prev := (*old)[l.ID]; old != nil && prev != nil && prev.Pool != nil && slices.Equal(prev.Upstreams, ups) {
			link.Pool, link.Upstreams = prev.Pool, prev.Upstreams
		} else {
			link.Pool, link.Upstreams = vpclink.NewPool(ups), ups
		}
		next[l.ID] = link
	}
	d.links.Store(&next)
	return nil
}

// Link returns the VPC link with id as the data plane uses it, or nil.
func (d *Deployer) Link(id string) *vpclink.Link {
	m := d.links.Load()
	if m == nil {
		return nil
	}
	return (*m)[id]
}
