package apigwv2

import (
	"net/http"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// authorizerInput is CreateAuthorizer's and UpdateAuthorizer's body.
type authorizerInput struct {
	AuthorizerCredentialsArn       *string                   `json:"authorizerCredentialsArn"`
	AuthorizerPayloadFormatVersion *string                   `json:"authorizerPayloadFormatVersion"`
	AuthorizerResultTTLInSeconds   *int                      `json:"authorizerResultTtlInSeconds"`
	AuthorizerType                 *string                   `json:"authorizerType"`
	AuthorizerURI                  *string                   `json:"authorizerUri"`
	EnableSimpleResponses          *bool                     `json:"enableSimpleResponses"`
	IdentitySource                 []string                  `json:"identitySource"`
	IdentityValidationExpression   *string                   `json:"identityValidationExpression"`
	JWTConfiguration               *model.V2JWTConfiguration `json:"jwtConfiguration"`
	Name                           *string                   `json:"name"`
}

func (in *authorizerInput) apply(a *model.V2Authorizer) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.AuthorizerCredentialsArn, in.AuthorizerCredentialsArn)
	set(&a.AuthorizerPayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
	if in.AuthorizerResultTTLInSeconds != nil {
		a.AuthorizerResultTTLInSeconds = in.AuthorizerResultTTLInSeconds
	}
	set(&a.AuthorizerType, in.AuthorizerType)
	set(&a.AuthorizerURI, in.AuthorizerURI)
	if in.EnableSimpleResponses != nil {
		a.EnableSimpleResponses = *in.EnableSimpleResponses
	}
	if in.IdentitySource != nil {
		a.IdentitySource = in.IdentitySource
	}
	set(&a.IdentityValidationExpression, in.IdentityValidationExpression)
	if in.JWTConfiguration != nil {
		a.JWTConfiguration = in.JWTConfiguration
	}
	set(&a.Name, in.Name)
}

func (s *Service) createAuthorizer(r *http.Request, p mgmt.Params) (int, any, error) {
	var in authorizerInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	au := &model.V2Authorizer{AuthorizerID: model.NewID(7)}
	in.apply(au)
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, err := s.loadAPI(tx, p["api"])
		if err != nil {
			return err
		}
		if err := model.ValidateV2Authorizer(a.ProtocolType, au); err != nil {
			return err
		}
		return mgmt.PutJSON(tx, model.V2AuthorizerKey(a.APIID, au.AuthorizerID), au)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, au, nil
}

func (s *Service) getAuthorizers(r *http.Request, p mgmt.Params) (int, any, error) {
	var list []*model.V2Authorizer
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		list, err = mgmt.ListJSON[model.V2Authorizer](tx, "v2authorizers/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	pg, err := mgmt.PaginateV2(r, list, func(x *model.V2Authorizer) string { return x.AuthorizerID })
	return http.StatusOK, pg, err
}

func (s *Service) loadAuthorizer(tx store.Tx, p mgmt.Params) (*model.V2Api, *model.V2Authorizer, error) {
	a, err := s.loadAPI(tx, p["api"])
	if err != nil {
		return nil, nil, err
	}
	au, err := load[model.V2Authorizer](tx, model.V2AuthorizerKey(a.APIID, p["authorizer"]), "Authorizer", "Authorizer")
	return a, au, err
}

func (s *Service) getAuthorizer(r *http.Request, p mgmt.Params) (int, any, error) {
	var au *model.V2Authorizer
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, au, err = s.loadAuthorizer(tx, p)
		return err
	})
	return http.StatusOK, au, err
}

func (s *Service) updateAuthorizer(r *http.Request, p mgmt.Params) (int, any, error) {
	var in authorizerInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	var au *model.V2Authorizer
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, cur, err := s.loadAuthorizer(tx, p)
		if err != nil {
			return err
		}
		au = cur
		in.apply(au)
		if err := model.ValidateV2Authorizer(a.ProtocolType, au); err != nil {
			return err
		}
		return mgmt.PutJSON(tx, model.V2AuthorizerKey(a.APIID, au.AuthorizerID), au)
	})
	return http.StatusOK, au, err
}

func (s *Service) deleteAuthorizer(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, au, err := s.loadAuthorizer(tx, p)
		if err != nil {
			return err
		}
		routes, err := mgmt.ListJSON[model.V2Route](tx, "v2routes/"+a.APIID+"/")
		if err != nil {
			return err
		}
		for _, rt := range routes {
			if rt.AuthorizerID == au.AuthorizerID {
				return awserr.Conflict("Authorizer %s is used by route %s", au.AuthorizerID, rt.RouteKey)
			}
		}
		return tx.Delete(model.V2AuthorizerKey(a.APIID, au.AuthorizerID))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
