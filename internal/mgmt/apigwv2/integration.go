package apigwv2

import (
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// integrationInput is CreateIntegration's and UpdateIntegration's body
// (integrations-v2.md §1).
type integrationInput struct {
	ConnectionID                *string                      `json:"connectionId"`
	ConnectionType              *string                      `json:"connectionType"`
	ContentHandlingStrategy     *string                      `json:"contentHandlingStrategy"`
	CredentialsArn              *string                      `json:"credentialsArn"`
	Description                 *string                      `json:"description"`
	IntegrationMethod           *string                      `json:"integrationMethod"`
	IntegrationSubtype          *string                      `json:"integrationSubtype"`
	IntegrationType             *string                      `json:"integrationType"`
	IntegrationURI              *string                      `json:"integrationUri"`
	PassthroughBehavior         *string                      `json:"passthroughBehavior"`
	PayloadFormatVersion        *string                      `json:"payloadFormatVersion"`
	RequestParameters           map[string]string            `json:"requestParameters"`
	RequestTemplates            map[string]string            `json:"requestTemplates"`
	ResponseParameters          map[string]map[string]string `json:"responseParameters"`
	TemplateSelectionExpression *string                      `json:"templateSelectionExpression"`
	TimeoutInMillis             *int                         `json:"timeoutInMillis"`
	TLSConfig                   *model.V2TLSConfig           `json:"tlsConfig"`
}

// apply merges in into it. On update (merge true) a requestParameters
// entry "" removes that key and a responseParameters entry {} removes
// that status code (integrations-v2.md §1, update semantics).
func (in *integrationInput) apply(it *model.V2Integration, merge bool) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&it.ConnectionID, in.ConnectionID)
	set(&it.ConnectionType, in.ConnectionType)
	set(&it.ContentHandlingStrategy, in.ContentHandlingStrategy)
	set(&it.CredentialsArn, in.CredentialsArn)
	set(&it.Description, in.Description)
	set(&it.IntegrationMethod, in.IntegrationMethod)
	set(&it.IntegrationSubtype, in.IntegrationSubtype)
	set(&it.IntegrationType, in.IntegrationType)
	set(&it.IntegrationURI, in.IntegrationURI)
	set(&it.PassthroughBehavior, in.PassthroughBehavior)
	set(&it.PayloadFormatVersion, in.PayloadFormatVersion)
	set(&it.TemplateSelectionExpression, in.TemplateSelectionExpression)
	if in.TimeoutInMillis != nil {
		it.TimeoutInMillis = *in.TimeoutInMillis
	}
	if in.TLSConfig != nil {
		it.TLSConfig = in.TLSConfig
	}
	if in.RequestTemplates != nil {
		it.RequestTemplates = in.RequestTemplates
	}
	if !merge {
		it.RequestParameters = in.RequestParameters
		it.ResponseParameters = in.ResponseParameters
		return
	}
	if in.RequestParameters != nil {
		if it.RequestParameters == nil {
			it.RequestParameters = map[string]string{}
		}
		for k, v := range in.RequestParameters {
			if v == "" && !strings.HasPrefix(k, "remove:") {
				delete(it.RequestParameters, k)
			} else {
				it.RequestParameters[k] = v
			}
		}
		if len(it.RequestParameters) == 0 {
			it.RequestParameters = nil
		}
	}
	if in.ResponseParameters != nil {
		if it.ResponseParameters == nil {
			it.ResponseParameters = map[string]map[string]string{}
		}
		for code, m := range in.ResponseParameters {
			if len(m) == 0 {
				delete(it.ResponseParameters, code)
			} else {
				it.ResponseParameters[code] = m
			}
		}
		if len(it.ResponseParameters) == 0 {
			it.ResponseParameters = nil
		}
	}
}

// checkIntegration applies defaults and validates it for the API; a VPC
// link named by connectionId must exist (HTTP APIs).
func checkIntegration(tx store.Tx, a *model.V2Api, it *model.V2Integration) error {
	if a.ProtocolType == model.ProtocolHTTP {
		if err := model.ValidateV2PassthroughAndHandling(it.PassthroughBehavior, it.ContentHandlingStrategy); err != nil {
			return err
		}
	}
	model.ApplyV2IntegrationDefaults(a.ProtocolType, it)
	if err := model.ValidateV2Integration(a.ProtocolType, it); err != nil {
		return err
	}
	if a.ProtocolType == model.ProtocolHTTP && it.ConnectionType == "VPC_LINK" {
		if _, err := tx.Get(model.V2VpcLinkKey(it.ConnectionID)); err != nil {
			return awserr.BadRequest("Invalid VPC link identifier specified in connectionId: %s", it.ConnectionID)
		}
	}
	return nil
}

func (s *Service) createIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	var in integrationInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	it := &model.V2Integration{IntegrationID: model.NewID(7)}
	in.apply(it, false)
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, err := s.loadAPI(tx, p["api"])
		if err != nil {
			return err
		}
		if err := checkIntegration(tx, a, it); err != nil {
			return err
		}
		return mgmt.PutJSON(tx, model.V2IntegrationKey(a.APIID, it.IntegrationID), it)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, it, nil
}

func (s *Service) getIntegrations(r *http.Request, p mgmt.Params) (int, any, error) {
	var its []*model.V2Integration
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		its, err = mgmt.ListJSON[model.V2Integration](tx, "v2integrations/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	pg, err := mgmt.PaginateV2(r, its, func(x *model.V2Integration) string { return x.IntegrationID })
	return http.StatusOK, pg, err
}

func (s *Service) loadIntegration(tx store.Tx, p mgmt.Params) (*model.V2Api, *model.V2Integration, error) {
	a, err := s.loadAPI(tx, p["api"])
	if err != nil {
		return nil, nil, err
	}
	it, err := load[model.V2Integration](tx, model.V2IntegrationKey(a.APIID, p["integration"]), "Integration", "Integration")
	return a, it, err
}

func (s *Service) getIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	var it *model.V2Integration
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, it, err = s.loadIntegration(tx, p)
		return err
	})
	return http.StatusOK, it, err
}

func (s *Service) updateIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	var in integrationInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	var it *model.V2Integration
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, cur, err := s.loadIntegration(tx, p)
		if err != nil {
			return err
		}
		if in.IntegrationSubtype != nil && *in.IntegrationSubtype != cur.IntegrationSubtype {
			return awserr.BadRequest("integrationSubtype cannot be changed after the integration is created")
		}
		it = cur
		in.apply(it, true)
		if err := checkIntegration(tx, a, it); err != nil {
			return err
		}
		return mgmt.PutJSON(tx, model.V2IntegrationKey(a.APIID, it.IntegrationID), it)
	})
	return http.StatusOK, it, err
}

func (s *Service) deleteIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.changed(r, p["api"], func(tx store.Tx) error {
		a, it, err := s.loadIntegration(tx, p)
		if err != nil {
			return err
		}
		if err := isManagedConflict(it.APIGatewayManaged, "Integration"); err != nil {
			return err
		}
		routes, err := mgmt.ListJSON[model.V2Route](tx, "v2routes/"+a.APIID+"/")
		if err != nil {
			return err
		}
		for _, rt := range routes {
			if rt.Target == "integrations/"+it.IntegrationID {
				return awserr.Conflict("Integration %s is the target of route %s; change the route's target first", it.IntegrationID, rt.RouteKey)
			}
		}
		return tx.Delete(model.V2IntegrationKey(a.APIID, it.IntegrationID))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
