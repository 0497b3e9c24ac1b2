package apigwv2

import (
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

type vpcLinkInput struct {
	Name             *string           `json:"name"`
	SecurityGroupIDs []string          `json:"securityGroupIds"`
	SubnetIDs        []string          `json:"subnetIds"`
	Tags             map[string]string `json:"tags"`
}

// createVpcLink stores a VPC link; Portico has no VPC to wait for, so it
// is AVAILABLE at once. Its targets are resolved through its tags or the
// server's target file (see internal/httpapi, VPC links).
func (s *Service) createVpcLink(r *http.Request, _ mgmt.Params) (int, any, error) {
	var in vpcLinkInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil || *in.Name == "" || len(*in.Name) > 128 {
		return 0, nil, awserr.BadRequest("name is required and must be at most 128 characters")
	}
	if len(in.SubnetIDs) == 0 {
		return 0, nil, awserr.BadRequest("subnetIds is required")
	}
	l := &model.V2VpcLink{CreatedDate: s.now(), Name: *in.Name, SecurityGroupIDs: in.SecurityGroupIDs,
		SubnetIDs: in.SubnetIDs, Tags: in.Tags, VpcLinkID: model.NewID(6), VpcLinkStatus: "AVAILABLE",
		VpcLinkStatusMessage: "VPC link is ready to route traffic", VpcLinkVersion: "V2"}
	if l.SecurityGroupIDs == nil {
		l.SecurityGroupIDs = []string{}
	}
	err := s.update(r, func(tx store.Tx) error { return mgmt.PutJSON(tx, model.V2VpcLinkKey(l.VpcLinkID), l) })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, l, nil
}

func (s *Service) getVpcLinks(r *http.Request, _ mgmt.Params) (int, any, error) {
	var list []*model.V2VpcLink
	err := s.view(r, func(tx store.Tx) error {
		var err error
		list, err = mgmt.ListJSON[model.V2VpcLink](tx, model.V2VpcLinkPrefix)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	pg, err := mgmt.PaginateV2(r, list, func(x *model.V2VpcLink) string { return x.VpcLinkID })
	return http.StatusOK, pg, err
}

func loadVpcLink(tx store.Tx, id string) (*model.V2VpcLink, error) {
	return load[model.V2VpcLink](tx, model.V2VpcLinkKey(id), "VpcLink", "VpcLink")
}

func (s *Service) getVpcLink(r *http.Request, p mgmt.Params) (int, any, error) {
	var l *model.V2VpcLink
	err := s.view(r, func(tx store.Tx) error {
		var err error
		l, err = loadVpcLink(tx, p["link"])
		return err
	})
	return http.StatusOK, l, err
}

func (s *Service) updateVpcLink(r *http.Request, p mgmt.Params) (int, any, error) {
	var in vpcLinkInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.SubnetIDs != nil || in.SecurityGroupIDs != nil || in.Tags != nil {
		return 0, nil, awserr.BadRequest("only name can be updated with UpdateVpcLink")
	}
	var l *model.V2VpcLink
	err := s.update(r, func(tx store.Tx) error {
		var err error
		if l, err = loadVpcLink(tx, p["link"]); err != nil {
			return err
		}
		if in.Name != nil {
			l.Name = *in.Name
		}
		return mgmt.PutJSON(tx, model.V2VpcLinkKey(l.VpcLinkID), l)
	})
	return http.StatusOK, l, err
}

// deleteVpcLink answers 202 (control-plane.md §6 VpcLink). A link still
// used by an integration is a conflict.
func (s *Service) deleteVpcLink(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		l, err := loadVpcLink(tx, p["link"])
		if err != nil {
			return err
		}
		kvs, err := tx.List("v2integrations/", "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			if strings.Contains(string(kv.Value), `"connectionId":"`+l.VpcLinkID+`"`) {
				return awserr.Conflict("VPC link %s is used by an integration", l.VpcLinkID)
			}
		}
		return tx.Delete(model.V2VpcLinkKey(l.VpcLinkID))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, struct{}{}, nil
}
