package apigw

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

type createRestAPIInput struct {
	Name                      *string                      `json:"name"`
	Description               string                       `json:"description"`
	Version                   string                       `json:"version"`
	CloneFrom                 string                       `json:"cloneFrom"`
	BinaryMediaTypes          []string                     `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int64                       `json:"minimumCompressionSize"`
	APIKeySource              string                       `json:"apiKeySource"`
	EndpointConfiguration     *model.EndpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                       `json:"policy"`
	Tags                      map[string]string            `json:"tags"`
	DisableExecuteAPIEndpoint bool                         `json:"disableExecuteApiEndpoint"`
	SecurityPolicy            string                       `json:"securityPolicy"`
	EndpointAccessMode        string                       `json:"endpointAccessMode"`
}

func validateCompression(n *int64) error {
	if n != nil && (*n < 0 || *n > 10485760) {
		return awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
	}
	return nil
}

func validateAPIKeySource(v, field string) error {
	if v != "HEADER" && v != "AUTHORIZER" {
		return awserr.Validation(awserr.Enum(v, field, "HEADER", "AUTHORIZER"))
	}
	return nil
}

func (s *Service) createRestAPI(r *http.Request, _ mgmt.Params) (int, any, error) {
	var in createRestAPIInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil {
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "createRestApiInput.name", Constraint: "Member must not be null"})
	}
	if *in.Name == "" {
		return 0, nil, awserr.BadRequest("The name of the RestApi must not be empty")
	}
	if err := validateCompression(in.MinimumCompressionSize); err != nil {
		return 0, nil, err
	}
	if in.APIKeySource == "" {
		in.APIKeySource = "HEADER"
	}
	if err := validateAPIKeySource(in.APIKeySource, "createRestApiInput.apiKeySource"); err != nil {
		return 0, nil, err
	}
	if in.EndpointConfiguration == nil {
		in.EndpointConfiguration = &model.EndpointConfiguration{Types: []string{"EDGE"}}
	}
	for _, t := range in.EndpointConfiguration.Types {
		if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
			return 0, nil, awserr.Validation(awserr.Enum(t, "createRestApiInput.endpointConfiguration.types.member", "REGIONAL", "EDGE", "PRIVATE"))
		}
	}
	a := &model.RestApi{
		ID: model.NewID(10), Name: *in.Name, Description: in.Description, Version: in.Version,
		CreatedDate: s.now(), BinaryMediaTypes: in.BinaryMediaTypes, MinimumCompressionSize: in.MinimumCompressionSize,
		APIKeySource: in.APIKeySource, EndpointConfiguration: in.EndpointConfiguration, Policy: in.Policy,
		Tags: in.Tags, DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, RootResourceID: model.NewID(10),
		SecurityPolicy: in.SecurityPolicy, EndpointAccessMode: in.EndpointAccessMode,
	}
	err := s.update(r, func(tx store.Tx) error {
		var resources []*model.Resource
		if in.CloneFrom != "" {
			src, err := s.loadAPI(tx, in.CloneFrom)
			if err != nil {
				return err
			}
			if resources, err = mgmt.ListJSON[model.Resource](tx, "resources/"+src.ID+"/"); err != nil {
				return err
			}
			for _, res := range resources {
				if res.Path == "/" {
					a.RootResourceID = res.ID
				}
			}
		} else {
			resources = []*model.Resource{{ID: a.RootResourceID, Path: "/"}}
		}
		if err := mgmt.PutJSON(tx, apiKey(a.ID), a); err != nil {
			return err
		}
		for _, res := range resources {
			if err := mgmt.PutJSON(tx, resourceKey(a.ID, res.ID), res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a, nil
}

func (s *Service) getRestAPIs(r *http.Request, _ mgmt.Params) (int, any, error) {
	var apis []*model.RestApi
	err := s.view(r, func(tx store.Tx) error {
		var err error
		apis, err = mgmt.ListJSON[model.RestApi](tx, "restapis/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	page, err := mgmt.Paginate(r, apis, func(a *model.RestApi) string { return a.ID })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

func (s *Service) getRestAPI(r *http.Request, p mgmt.Params) (int, any, error) {
	var a *model.RestApi
	err := s.view(r, func(tx store.Tx) error {
		var err error
		a, err = s.loadAPI(tx, p["api"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

func (s *Service) updateRestAPI(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateRestApiInput")
	if err != nil {
		return 0, nil, err
	}
	var a *model.RestApi
	err = s.update(r, func(tx store.Tx) error {
		var err error
		if a, err = s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		for _, op := range ops {
			if err := patchRestAPI(a, op); err != nil {
				return err
			}
		}
		return mgmt.PutJSON(tx, apiKey(a.ID), a)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

func patchRestAPI(a *model.RestApi, op mgmt.PatchOp) error {
	segs := mgmt.PointerSegments(op.Path)
	if len(segs) == 0 {
		return mgmt.InvalidPath(op)
	}
	v := op.Val()
	switch segs[0] {
	case "name", "description", "version", "policy", "apiKeySource", "minimumCompressionSize", "disableExecuteApiEndpoint":
		if len(segs) != 1 || (op.Op != "replace" && !(op.Op == "remove" && segs[0] == "minimumCompressionSize")) {
			return mgmt.InvalidOp("replace")
		}
		switch segs[0] {
		case "name":
			if v == "" {
				return awserr.BadRequest("The name of the RestApi must not be empty")
			}
			a.Name = v
		case "description":
			a.Description = v
		case "version":
			a.Version = v
		case "policy":
			a.Policy = v
		case "apiKeySource":
			if err := validateAPIKeySource(v, "updateRestApiInput.apiKeySource"); err != nil {
				return err
			}
			a.APIKeySource = v
		case "minimumCompressionSize":
			if op.Op == "remove" || v == "" {
				a.MinimumCompressionSize = nil
				return nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
			}
			if err := validateCompression(&n); err != nil {
				return err
			}
			a.MinimumCompressionSize = &n
		case "disableExecuteApiEndpoint":
			b, err := parseBool(v)
			if err != nil {
				return err
			}
			a.DisableExecuteAPIEndpoint = b
		}
	case "binaryMediaTypes":
		if len(segs) != 2 {
			return mgmt.InvalidPath(op)
		}
		switch op.Op {
		case "add":
			for _, t := range a.BinaryMediaTypes {
				if t == segs[1] {
					return nil
				}
			}
			a.BinaryMediaTypes = append(a.BinaryMediaTypes, segs[1])
		case "remove":
			for i, t := range a.BinaryMediaTypes {
				if t == segs[1] {
					a.BinaryMediaTypes = append(a.BinaryMediaTypes[:i], a.BinaryMediaTypes[i+1:]...)
					return nil
				}
			}
			return awserr.NotFound("Invalid binary media type specified: %s", segs[1])
		case "replace":
			for i, t := range a.BinaryMediaTypes {
				if t == segs[1] {
					a.BinaryMediaTypes[i] = v
					return nil
				}
			}
			return awserr.NotFound("Invalid binary media type specified: %s", segs[1])
		default:
			return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
		}
	case "endpointConfiguration":
		if len(segs) == 3 && segs[1] == "types" && op.Op == "replace" {
			if v != "EDGE" && v != "REGIONAL" && v != "PRIVATE" {
				return awserr.Validation(awserr.Enum(v, "updateRestApiInput.endpointConfiguration.types.member", "REGIONAL", "EDGE", "PRIVATE"))
			}
			if a.EndpointConfiguration == nil {
				a.EndpointConfiguration = &model.EndpointConfiguration{}
			}
			a.EndpointConfiguration.Types = []string{v}
			return nil
		}
		return mgmt.InvalidPath(op)
	default:
		return mgmt.InvalidPath(op, "/name", "/description", "/version", "/policy", "/apiKeySource",
			"/minimumCompressionSize", "/disableExecuteApiEndpoint", "/binaryMediaTypes/{type}", "/endpointConfiguration/types/{index}")
	}
	return nil
}

func (s *Service) deleteRestAPI(r *http.Request, p mgmt.Params) (int, any, error) {
	id := p["api"]
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, id); err != nil {
			return err
		}
		if err := tx.Delete(apiKey(id)); err != nil {
			return err
		}
		for _, prefix := range apiPrefixes {
			if _, err := tx.DeletePrefix(prefix + id + "/"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, id)
	return http.StatusAccepted, nil, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
