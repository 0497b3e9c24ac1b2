package apigwv2

import (
	"net/http"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// routeInput is CreateRoute's and UpdateRoute's body.
type routeInput struct {
	APIKeyRequired                   *bool                                   `json:"apiKeyRequired"`
	AuthorizationScopes              []string                                `json:"authorizationScopes"`
	AuthorizationType                *string                                 `json:"authorizationType"`
	AuthorizerID                     *string                                 `json:"authorizerId"`
	ModelSelectionExpression         *string                                 `json:"modelSelectionExpression"`
	OperationName                    *string                                 `json:"operationName"`
	RequestModels                    map[string]string                       `json:"requestModels"`
	RequestParameters                map[string]*model.V2ParameterConstraint `json:"requestParameters"`
	RouteKey                         *string                                 `json:"routeKey"`
	RouteResponseSelectionExpression *string                                 `json:"routeResponseSelectionExpression"`
	Target                           *string                                 `json:"target"`
}

func (in *routeInput) apply(rt *model.V2Route) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if in.APIKeyRequired != nil {
		rt.APIKeyRequired = *in.APIKeyRequired
	}
	if in.AuthorizationScopes != nil {
		rt.AuthorizationScopes = in.AuthorizationScopes
	}
	set(&rt.AuthorizationType, in.AuthorizationType)
	set(&rt.AuthorizerID, in.AuthorizerID)
	set(&rt.ModelSelectionExpression, in.ModelSelectionExpression)
	set(&rt.OperationName, in.OperationName)
	if in.RequestModels != nil {
		rt.RequestModels = in.RequestModels
	}
	if in.RequestParameters != nil {
		rt.RequestParameters = in.RequestParameters
	}
	set(&rt.RouteKey, in.RouteKey)
	set(&rt.RouteResponseSelectionExpression, in.RouteResponseSelectionExpression)
	set(&rt.Target, in.Target)
	if rt.AuthorizationType == "NONE" || rt.AuthorizationType == "AWS_IAM" {
		rt.AuthorizerID = ""
	}
}

// checkRoute validates rt against the API's integrations, authorizers
// and other routes (route keys are unique per API: 409).
func checkRoute(tx store.Tx, a *model.V2Api, rt *model.V2Route) error {
	exists := func(id string) bool {
		_, err := tx.Get(model.V2IntegrationKey(a.APIID, id))
		return err == nil
	}
	authType := func(id string) (string, bool) {
		var au model.V2Authorizer
		if err := mgmt.GetJSON(tx, model.V2AuthorizerKey(a.APIID, id), &au); err != nil {
			return "", false
		}
		return au.AuthorizerType, true
	}
	if err := model.ValidateV2Route(a.ProtocolType, rt, exists, authType); err != nil {
		return err
	}
	id, err := tx.Get(model.V2RouteKeyIndex(a.APIID, rt.RouteKey))
	if err == nil && string(id) != rt.RouteID {
		return awserr.Conflict("Route with key %s already exists for this API", rt.RouteKey)
	}
	return nil
}

// putRoute stores rt and keeps the route key index current; oldKey is
// the key rt had before ("" for a new route).
func putRoute(tx store.Tx, api string, rt *model.V2Route, oldKey string) error {
	if oldKey != "" && oldKey != rt.RouteKey {
		if err := tx.Delete(model.V2RouteKeyIndex(api, oldKey)); err != nil {
			return err
		}
	}
	if err := tx.Put(model.V2RouteKeyIndex(api, rt.RouteKey), []byte(rt.RouteID)); err != nil {
		return err
	}
	return mgmt.PutJSON(tx, model.V2RouteKey(api, rt.RouteID), rt)
}

func (s *Service) createRoute(r *http.Request, p mgmt.Params) (int, any, error) {
	var in routeInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.RouteKey == nil {
		return 0, nil, awserr.BadRequest("routeKey is required")
	}
	rt := &model.V2Route{RouteID: model.NewID(7), AuthorizationType: "NONE"}
	in.apply(rt)
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, err := s.loadAPI(tx, p["api"])
		if err != nil {
			return err
		}
		if err := checkRoute(tx, a, rt); err != nil {
			return err
		}
		return putRoute(tx, a.APIID, rt, "")
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, rt, nil
}

func (s *Service) getRoutes(r *http.Request, p mgmt.Params) (int, any, error) {
	var routes []*model.V2Route
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		routes, err = mgmt.ListJSON[model.V2Route](tx, "v2routes/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	pg, err := mgmt.PaginateV2(r, routes, func(x *model.V2Route) string { return x.RouteID })
	return http.StatusOK, pg, err
}

func (s *Service) loadRoute(tx store.Tx, p mgmt.Params) (*model.V2Api, *model.V2Route, error) {
	a, err := s.loadAPI(tx, p["api"])
	if err != nil {
		return nil, nil, err
	}
	rt, err := load[model.V2Route](tx, model.V2RouteKey(a.APIID, p["route"]), "Route", "Route")
	return a, rt, err
}

func (s *Service) getRoute(r *http.Request, p mgmt.Params) (int, any, error) {
	var rt *model.V2Route
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, rt, err = s.loadRoute(tx, p)
		return err
	})
	return http.StatusOK, rt, err
}

func (s *Service) updateRoute(r *http.Request, p mgmt.Params) (int, any, error) {
	var in routeInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	var rt *model.V2Route
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, cur, err := s.loadRoute(tx, p)
		if err != nil {
			return err
		}
		rt = cur
		oldKey := rt.RouteKey
		in.apply(rt)
		if err := checkRoute(tx, a, rt); err != nil {
			return err
		}
		return putRoute(tx, a.APIID, rt, oldKey)
	})
	return http.StatusOK, rt, err
}

func (s *Service) deleteRoute(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, rt, err := s.loadRoute(tx, p)
		if err != nil {
			return err
		}
		if err := isManagedConflict(rt.APIGatewayManaged, "Route"); err != nil {
			return err
		}
		if err := tx.Delete(model.V2RouteKeyIndex(a.APIID, rt.RouteKey)); err != nil {
			return err
		}
		return tx.Delete(model.V2RouteKey(a.APIID, rt.RouteID))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
