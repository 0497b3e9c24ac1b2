package apigw

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// LinkPublisher makes the data plane see VPC link changes.
type LinkPublisher interface {
	ReloadLinks(ctx context.Context) error
}

func vpcLinkKey(id string) string { return "vpclinks/" + id }

// VpcLinkPrefix is the prefix of every stored REST VPC link.
const VpcLinkPrefix = "vpclinks/"

func (s *Service) publishLinks(r *http.Request) {
	if s.cfg.Links == nil {
		return
	}
	if err := s.cfg.Links.ReloadLinks(r.Context()); err != nil {
		s.cfg.Log.Error("reload vpc links", "err", err)
	}
}

// createVpcLink is CreateVpcLink: the link is AVAILABLE at once, as
// nothing needs provisioning locally.
func (s *Service) createVpcLink(r *http.Request, _ mgmt.Params) (int, any, error) {
	var in struct {
		Name        *string           `json:"name"`
		Description string            `json:"description"`
		TargetArns  []string          `json:"targetArns"`
		Tags        map[string]string `json:"tags"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil || *in.Name == "" {
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "createVpcLinkInput.name", Constraint: "Member must not be null"})
	}
	if len(in.TargetArns) == 0 {
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "createVpcLinkInput.targetArns", Constraint: "Member must not be null"})
	}
	if len(in.TargetArns) > 1 {
		return 0, nil, awserr.BadRequest("A VPC link supports exactly one target ARN")
	}
	for _, arn := range in.TargetArns {
		if !strings.HasPrefix(arn, "arn:") {
			return 0, nil, awserr.BadRequest("Invalid ARN specified in the request: %s", arn)
		}
	}
	l := &model.VpcLink{ID: model.NewID(10), Name: *in.Name, Description: in.Description, TargetArns: in.TargetArns,
		Status: "AVAILABLE", StatusMessage: "Your vpc link is ready for use", Tags: in.Tags}
	if err := s.update(r, func(tx store.Tx) error { return mgmt.PutJSON(tx, vpcLinkKey(l.ID), l) }); err != nil {
		return 0, nil, err
	}
	s.publishLinks(r)
	return http.StatusAccepted, l, nil
}

func loadVpcLink(tx store.Tx, id string) (*model.VpcLink, error) {
	var l model.VpcLink
	if err := mgmt.GetJSON(tx, vpcLinkKey(id), &l); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, awserr.NotFound("Invalid Vpc Link identifier specified")
		}
		return nil, err
	}
	return &l, nil
}

func (s *Service) getVpcLinks(r *http.Request, _ mgmt.Params) (int, any, error) {
	var ls []*model.VpcLink
	if err := s.view(r, func(tx store.Tx) error {
		var err error
		ls, err = mgmt.ListJSON[model.VpcLink](tx, VpcLinkPrefix)
		return err
	}); err != nil {
		return 0, nil, err
	}
	page, err := mgmt.Paginate(r, ls, func(l *model.VpcLink) string { return l.ID })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

func (s *Service) getVpcLink(r *http.Request, p mgmt.Params) (int, any, error) {
	var l *model.VpcLink
	if err := s.view(r, func(tx store.Tx) error {
		var err error
		l, err = loadVpcLink(tx, p["link"])
		return err
	}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, l, nil
}

func (s *Service) updateVpcLink(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateVpcLinkInput")
	if err != nil {
		return 0, nil, err
	}
	var l *model.VpcLink
	err = s.update(r, func(tx store.Tx) error {
		var err error
		if l, err = loadVpcLink(tx, p["link"]); err != nil {
			return err
		}
		for _, op := range ops {
			if op.Op != "replace" {
				return mgmt.InvalidOp("replace")
			}
			switch op.Path {
			case "/name":
				l.Name = op.Val()
			case "/description":
				l.Description = op.Val()
			default:
				return mgmt.InvalidPath(op, "/name", "/description")
			}
		}
		return mgmt.PutJSON(tx, vpcLinkKey(l.ID), l)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, l, nil
}

// deleteVpcLink refuses while an integration names the link literally
// (integrations-v1.md §4.1); references through stage variables do not
// count.
func (s *Service) deleteVpcLink(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		if _, err := loadVpcLink(tx, p["link"]); err != nil {
			return err
		}
		rs, err := mgmt.ListJSON[model.Resource](tx, "resources/")
		if err != nil {
			return err
		}
		for _, res := range rs {
			for _, m := range res.ResourceMethods {
				if it := m.MethodIntegration; it != nil && it.ConnectionType == "VPC_LINK" && it.ConnectionID == p["link"] {
					return awserr.BadRequest("Cannot delete vpc link. Vpc link '%s', is referenced in [%s %s] in format of [Method Resource].", p["link"], m.HTTPMethod, res.Path)
				}
			}
		}
		return tx.Delete(vpcLinkKey(p["link"]))
	})
	if err != nil {
		return 0, nil, err
	}
	s.publishLinks(r)
	return http.StatusAccepted, nil, nil
}
