package apigwv2

import (
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// tagged locates the tags of the resource an ARN names:
// arn:aws:apigateway:{region}::/apis/{id}, …/apis/{id}/stages/{name} or
// …/vpclinks/{id} (control-plane.md §2).
func (s *Service) tagged(tx store.Tx, arn string) (key string, tags *map[string]string, save func() error, err error) {
	_, path, ok := strings.Cut(arn, "::")
	if !strings.HasPrefix(arn, "arn:aws:apigateway:") || !ok {
		return "", nil, nil, awserr.BadRequest("Invalid resource ARN %s", arn)
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "apis":
		a, err := s.loadAPI(tx, parts[1])
		if err != nil {
			return "", nil, nil, err
		}
		k := model.V2APIKey(a.APIID)
		return k, &a.Tags, func() error { return mgmt.PutJSON(tx, k, a) }, nil
	case len(parts) == 4 && parts[0] == "apis" && parts[2] == "stages":
		st, err := load[model.V2Stage](tx, model.V2StageKey(parts[1], parts[3]), "Stage", "Stage")
		if err != nil {
			return "", nil, nil, err
		}
		k := model.V2StageKey(parts[1], parts[3])
		return k, &st.Tags, func() error { return mgmt.PutJSON(tx, k, st) }, nil
	case len(parts) == 2 && parts[0] == "vpclinks":
		l, err := loadVpcLink(tx, parts[1])
		if err != nil {
			return "", nil, nil, err
		}
		k := model.V2VpcLinkKey(l.VpcLinkID)
		return k, &l.Tags, func() error { return mgmt.PutJSON(tx, k, l) }, nil
	}
	return "", nil, nil, notFound("Tags", "Invalid resource ARN specified: %s", arn)
}

type tagsBody struct {
	Tags map[string]string `json:"tags"`
}

func (s *Service) getTags(r *http.Request, p mgmt.Params) (int, any, error) {
	var out tagsBody
	err := s.view(r, func(tx store.Tx) error {
		_, tags, _, err := s.tagged(tx, p["arn"])
		if err != nil {
			return err
		}
		out.Tags = *tags
		return nil
	})
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	return http.StatusOK, out, err
}

func (s *Service) tagResource(r *http.Request, p mgmt.Params) (int, any, error) {
	var in tagsBody
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	err := s.update(r, func(tx store.Tx) error {
		_, tags, save, err := s.tagged(tx, p["arn"])
		if err != nil {
			return err
		}
		if *tags == nil {
			*tags = map[string]string{}
		}
		for k, v := range in.Tags {
			(*tags)[k] = v
		}
		return save()
	})
	if err != nil {
		return 0, nil, err
	}
	s.reloadTagged(r, p["arn"])
	return http.StatusCreated, struct{}{}, nil
}

func (s *Service) untagResource(r *http.Request, p mgmt.Params) (int, any, error) {
	keys := r.URL.Query()["tagKeys"]
	err := s.update(r, func(tx store.Tx) error {
		_, tags, save, err := s.tagged(tx, p["arn"])
		if err != nil {
			return err
		}
		for _, k := range keys {
			delete(*tags, k)
		}
		if len(*tags) == 0 {
			*tags = nil
		}
		return save()
	})
	if err != nil {
		return 0, nil, err
	}
	s.reloadTagged(r, p["arn"])
	return http.StatusNoContent, nil, nil
}

// reloadTagged republishes every API after a VPC link's tags change:
// they can name the link's targets.
func (s *Service) reloadTagged(r *http.Request, arn string) {
	if !strings.Contains(arn, "::/vpclinks/") {
		return
	}
	var ids []string
	s.view(r, func(tx store.Tx) error {
		kvs, err := tx.List(model.V2APIPrefix, "", 0)
		for _, kv := range kvs {
			ids = append(ids, strings.TrimPrefix(kv.Key, model.V2APIPrefix))
		}
		return err
	})
	for _, id := range ids {
		s.publish(r, id)
	}
}
