package apigw

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

func checkResponseType(t string) error {
	if _, ok := awserr.DefaultOf(awserr.ResponseType(t)); !ok {
		set := make([]string, 0, 21)
		for _, rt := range awserr.ResponseTypes() {
			set = append(set, string(rt))
		}
		return awserr.Validation(awserr.Enum(t, "responseType", set...))
	}
	return nil
}

// defaultGatewayResponse is a type as GetGatewayResponse shows it when the
// API does not customise it (errors-and-gateway-responses.md §2).
func defaultGatewayResponse(t string) *model.GatewayResponse {
	d, _ := awserr.DefaultOf(awserr.ResponseType(t))
	g := &model.GatewayResponse{ResponseType: t, DefaultResponse: true,
		ResponseTemplates: &model.OrderedMap{}}
	g.ResponseTemplates.Set("application/json", `{"message":$context.error.messageString}`)
	if d.Status != 0 {
		g.StatusCode = strconv.Itoa(d.Status)
	}
	return g
}

func (s *Service) putGatewayResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	var in struct {
		StatusCode         string            `json:"statusCode"`
		ResponseParameters map[string]string `json:"responseParameters"`
		ResponseTemplates  *model.OrderedMap `json:"responseTemplates"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := checkResponseType(p["type"]); err != nil {
		return 0, nil, err
	}
	if in.StatusCode != "" {
		if err := model.ValidateStatusCode(in.StatusCode, "putGatewayResponseInput.statusCode"); err != nil {
			return 0, nil, err
		}
	}
	g := &model.GatewayResponse{ResponseType: p["type"], StatusCode: in.StatusCode,
		ResponseParameters: in.ResponseParameters, ResponseTemplates: in.ResponseTemplates}
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		return mgmt.PutJSON(tx, gwrKey(p["api"], g.ResponseType), g)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, g, nil
}

func (s *Service) loadGatewayResponse(tx store.Tx, api, typ string) (*model.GatewayResponse, bool, error) {
	if _, err := s.loadAPI(tx, api); err != nil {
		return nil, false, err
	}
	if err := checkResponseType(typ); err != nil {
		return nil, false, err
	}
	var g model.GatewayResponse
	err := mgmt.GetJSON(tx, gwrKey(api, typ), &g)
	if errors.Is(err, store.ErrNotFound) {
		return defaultGatewayResponse(typ), false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &g, true, nil
}

func (s *Service) getGatewayResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	var g *model.GatewayResponse
	err := s.view(r, func(tx store.Tx) error {
		var err error
		g, _, err = s.loadGatewayResponse(tx, p["api"], p["type"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, g, nil
}

func (s *Service) getGatewayResponses(r *http.Request, p mgmt.Params) (int, any, error) {
	var all []*model.GatewayResponse
	err := s.view(r, func(tx store.Tx) error {
		for _, t := range awserr.ResponseTypes() {
			g, _, err := s.loadGatewayResponse(tx, p["api"], string(t))
			if err != nil {
				return err
			}
			all = append(all, g)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	page, err := mgmt.Paginate(r, all, func(g *model.GatewayResponse) string { return g.ResponseType })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

func (s *Service) updateGatewayResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateGatewayResponseInput")
	if err != nil {
		return 0, nil, err
	}
	var g *model.GatewayResponse
	err = s.update(r, func(tx store.Tx) error {
		var err error
		if g, _, err = s.loadGatewayResponse(tx, p["api"], p["type"]); err != nil {
			return err
		}
		g.DefaultResponse = false
		for _, op := range ops {
			segs := mgmt.PointerSegments(op.Path)
			switch {
			case len(segs) == 1 && segs[0] == "statusCode" && op.Op == "replace":
				if err := model.ValidateStatusCode(op.Val(), "updateGatewayResponseInput.statusCode"); err != nil {
					return err
				}
				g.StatusCode = op.Val()
			case len(segs) == 2 && segs[0] == "responseParameters":
				if err := patchStringMap(&g.ResponseParameters, segs[1], op, "Invalid parameter name specified"); err != nil {
					return err
				}
			case len(segs) == 2 && segs[0] == "responseTemplates":
				if err := patchTemplates(&g.ResponseTemplates, segs[1], op); err != nil {
					return err
				}
			default:
				return mgmt.InvalidPath(op, "/statusCode", "/responseParameters/{name}", "/responseTemplates/{contentType}")
			}
		}
		return mgmt.PutJSON(tx, gwrKey(p["api"], g.ResponseType), g)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, g, nil
}

func (s *Service) deleteGatewayResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		_, custom, err := s.loadGatewayResponse(tx, p["api"], p["type"])
		if err != nil {
			return err
		}
		if !custom {
			return awserr.NotFound("Gateway response type not defined on api")
		}
		return tx.Delete(gwrKey(p["api"], p["type"]))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

func atoi(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, awserr.BadRequest("Invalid integer value specified: %s", v)
	}
	return n, nil
}

func atof(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, awserr.BadRequest("Invalid number value specified: %s", v)
	}
	return f, nil
}
