package apigwv2

import (
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// apiInput is CreateApi's and UpdateApi's body (control-plane.md §6.1);
// pointers tell omitted members from zero values on update.
type apiInput struct {
	APIKeySelectionExpression *string           `json:"apiKeySelectionExpression"`
	CorsConfiguration         *model.V2Cors     `json:"corsConfiguration"`
	CredentialsArn            *string           `json:"credentialsArn"`
	Description               *string           `json:"description"`
	DisableExecuteAPIEndpoint *bool             `json:"disableExecuteApiEndpoint"`
	DisableSchemaValidation   *bool             `json:"disableSchemaValidation"`
	IPAddressType             *string           `json:"ipAddressType"`
	Name                      *string           `json:"name"`
	ProtocolType              *string           `json:"protocolType"`
	RouteKey                  *string           `json:"routeKey"`
	RouteSelectionExpression  *string           `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags"`
	Target                    *string           `json:"target"`
	Version                   *string           `json:"version"`
}

func (in *apiInput) apply(a *model.V2Api) {
	if in.APIKeySelectionExpression != nil {
		a.APIKeySelectionExpression = *in.APIKeySelectionExpression
	}
	if in.CorsConfiguration != nil {
		a.CorsConfiguration = in.CorsConfiguration
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.DisableExecuteAPIEndpoint != nil {
		a.DisableExecuteAPIEndpoint = *in.DisableExecuteAPIEndpoint
	}
	if in.DisableSchemaValidation != nil {
		a.DisableSchemaValidation = *in.DisableSchemaValidation
	}
	if in.IPAddressType != nil {
		a.IPAddressType = *in.IPAddressType
	}
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.RouteSelectionExpression != nil {
		a.RouteSelectionExpression = *in.RouteSelectionExpression
	}
	if in.Version != nil {
		a.Version = *in.Version
	}
}

func (s *Service) endpoint(a *model.V2Api) string {
	scheme := "https"
	if a.ProtocolType == model.ProtocolWebSocket {
		scheme = "wss"
	}
	return scheme + "://" + a.APIID + ".execute-api." + s.cfg.Region + ".amazonaws.com"
}

func (s *Service) createAPI(r *http.Request, _ mgmt.Params) (int, any, error) {
	var in apiInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil || in.ProtocolType == nil {
		return 0, nil, awserr.BadRequest("name and protocolType are required")
	}
	a := &model.V2Api{APIID: model.NewID(10), CreatedDate: s.now(), ProtocolType: *in.ProtocolType,
		APIKeySelectionExpression: "$request.header.x-api-key", Tags: in.Tags}
	if a.ProtocolType == model.ProtocolHTTP {
		a.RouteSelectionExpression = model.HTTPRouteSelectionExpression
	}
	in.apply(a)
	a.APIEndpoint = s.endpoint(a)
	if err := model.ValidateV2Api(a); err != nil {
		return 0, nil, err
	}
	quick := in.Target != nil || in.RouteKey != nil || in.CredentialsArn != nil
	if quick && a.ProtocolType != model.ProtocolHTTP {
		return 0, nil, awserr.BadRequest("target, routeKey and credentialsArn (quick create) are supported only for HTTP APIs")
	}
	if quick && in.Target == nil {
		return 0, nil, awserr.BadRequest("target is required for quick create")
	}
	err := s.update(r, func(tx store.Tx) error {
		if err := mgmt.PutJSON(tx, model.V2APIKey(a.APIID), a); err != nil {
			return err
		}
		if quick {
			return s.quickCreate(tx, a, in)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	if quick {
		s.publish(r, a.APIID)
	}
	return http.StatusCreated, a, nil
}

// quickCreate adds the managed integration, the route (default $default)
// and the auto-deployed $default stage (control-plane.md §6.1).
func (s *Service) quickCreate(tx store.Tx, a *model.V2Api, in apiInput) error {
	it := &model.V2Integration{IntegrationID: model.NewID(7), APIGatewayManaged: true}
	it.IntegrationURI = *in.Target
	if in.CredentialsArn != nil {
		it.CredentialsArn = *in.CredentialsArn
	}
	if _, ok := model.LambdaFunctionARN(it.IntegrationURI); ok {
		it.IntegrationType = model.TypeAWSProxy
		it.PayloadFormatVersion = "2.0"
	} else {
		it.IntegrationType = model.TypeHTTPProxy
		it.IntegrationMethod = "ANY"
		it.PayloadFormatVersion = "1.0"
	}
	model.ApplyV2IntegrationDefaults(a.ProtocolType, it)
	if err := model.ValidateV2Integration(a.ProtocolType, it); err != nil {
		return awserr.BadRequest("target: %s", err.(*awserr.Error).Message)
	}
	key := "$default"
	if in.RouteKey != nil {
		key = *in.RouteKey
	}
	if err := model.ValidateV2RouteKey(a.ProtocolType, key); err != nil {
		return err
	}
	rt := &model.V2Route{RouteID: model.NewID(7), RouteKey: key, AuthorizationType: "NONE",
		Target: "integrations/" + it.IntegrationID, APIGatewayManaged: true}
	st := &model.V2Stage{StageName: "$default", AutoDeploy: true, APIGatewayManaged: true,
		CreatedDate: s.now(), LastUpdatedDate: s.now(), DefaultRouteSettings: &model.V2RouteSettings{}}
	if err := mgmt.PutJSON(tx, model.V2IntegrationKey(a.APIID, it.IntegrationID), it); err != nil {
		return err
	}
	if err := putRoute(tx, a.APIID, rt, ""); err != nil {
		return err
	}
	if err := mgmt.PutJSON(tx, model.V2StageKey(a.APIID, st.StageName), st); err != nil {
		return err
	}
	_, err := s.autoDeploy(tx, a.APIID)
	return err
}

func (s *Service) getAPIs(r *http.Request, _ mgmt.Params) (int, any, error) {
	var apis []*model.V2Api
	err := s.view(r, func(tx store.Tx) error {
		var err error
		apis, err = mgmt.ListJSON[model.V2Api](tx, model.V2APIPrefix)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	p, err := mgmt.PaginateV2(r, apis, func(a *model.V2Api) string { return a.APIID })
	return http.StatusOK, p, err
}

func (s *Service) getAPI(r *http.Request, p mgmt.Params) (int, any, error) {
	var a *model.V2Api
	err := s.view(r, func(tx store.Tx) error {
		var err error
		a, err = s.loadAPI(tx, p["api"])
		return err
	})
	return http.StatusOK, a, err
}

func (s *Service) updateAPI(r *http.Request, p mgmt.Params) (int, any, error) {
	var in apiInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.ProtocolType != nil || in.Tags != nil {
		return 0, nil, awserr.BadRequest("protocolType and tags cannot be updated with UpdateApi")
	}
	var a *model.V2Api
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		var err error
		if a, err = s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		in.apply(a)
		if err := model.ValidateV2Api(a); err != nil {
			return err
		}
		if in.Target != nil || in.RouteKey != nil || in.CredentialsArn != nil {
			if err := s.quickUpdate(tx, a, in); err != nil {
				return err
			}
		}
		return mgmt.PutJSON(tx, model.V2APIKey(a.APIID), a)
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"]) // disableExecuteApiEndpoint applies at once
	return http.StatusOK, a, nil
}

// quickUpdate changes the managed integration's target/credentials and
// the managed route's key.
func (s *Service) quickUpdate(tx store.Tx, a *model.V2Api, in apiInput) error {
	its, err := mgmt.ListJSON[model.V2Integration](tx, "v2integrations/"+a.APIID+"/")
	if err != nil {
		return err
	}
	for _, it := range its {
		if !it.APIGatewayManaged {
			continue
		}
		if in.Target != nil {
			it.IntegrationURI = *in.Target
		}
		if in.CredentialsArn != nil {
			it.CredentialsArn = *in.CredentialsArn
		}
		if err := model.ValidateV2Integration(a.ProtocolType, it); err != nil {
			return err
		}
		if err := mgmt.PutJSON(tx, model.V2IntegrationKey(a.APIID, it.IntegrationID), it); err != nil {
			return err
		}
	}
	if in.RouteKey == nil {
		return nil
	}
	if err := model.ValidateV2RouteKey(a.ProtocolType, *in.RouteKey); err != nil {
		return err
	}
	routes, err := mgmt.ListJSON[model.V2Route](tx, "v2routes/"+a.APIID+"/")
	if err != nil {
		return err
	}
	for _, rt := range routes {
		if rt.APIGatewayManaged {
			old := rt.RouteKey
			rt.RouteKey = *in.RouteKey
			if err := checkRoute(tx, a, rt); err != nil {
				return err
			}
			if err := putRoute(tx, a.APIID, rt, old); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) deleteAPI(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		for _, pre := range model.V2APIChildPrefixes(p["api"]) {
			if _, err := tx.DeletePrefix(pre); err != nil {
				return err
			}
		}
		return tx.Delete(model.V2APIKey(p["api"]))
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"])
	return http.StatusNoContent, nil, nil
}

func (s *Service) deleteCors(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, err := s.loadAPI(tx, p["api"])
		if err != nil {
			return err
		}
		a.CorsConfiguration = nil
		return mgmt.PutJSON(tx, model.V2APIKey(a.APIID), a)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func isManagedConflict(managed bool, what string) error {
	if managed {
		return awserr.Conflict("Cannot delete %s managed by API Gateway; delete the API or use UpdateApi", strings.ToLower(what))
	}
	return nil
}
