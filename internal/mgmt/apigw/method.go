package apigw

import (
	"net/http"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

var authorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}

type putMethodInput struct {
	AuthorizationType   *string           `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

func validateMethod(m *model.Method) error {
	ok := false
	for _, t := range authorizationTypes {
		ok = ok || t == m.AuthorizationType
	}
	if !ok {
		return awserr.BadRequest("Invalid authorization type specified: %s. Valid values are NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS", m.AuthorizationType)
	}
	if (m.AuthorizationType == "CUSTOM" || m.AuthorizationType == "COGNITO_USER_POOLS") && m.AuthorizerID == "" {
		return awserr.BadRequest("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
	}
	return model.ValidateMethodParameters(m.RequestParameters)
}

// saveResource writes r back after one of its methods changed.
func saveResource(tx store.Tx, api string, r *model.Resource) error {
	return mgmt.PutJSON(tx, resourceKey(api, r.ID), r)
}

func (s *Service) putMethod(r *http.Request, p mgmt.Params) (int, any, error) {
	if !model.IsHTTPMethod(p["method"]) {
		return 0, nil, model.ErrInvalidHTTPMethod()
	}
	var in putMethodInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.AuthorizationType == nil {
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "putMethodInput.authorizationType", Constraint: "Member must not be null"})
	}
	m := &model.Method{
		HTTPMethod: p["method"], AuthorizationType: *in.AuthorizationType, AuthorizerID: in.AuthorizerID,
		APIKeyRequired: in.APIKeyRequired, OperationName: in.OperationName, RequestParameters: in.RequestParameters,
		RequestModels: in.RequestModels, RequestValidatorID: in.RequestValidatorID, AuthorizationScopes: in.AuthorizationScopes,
	}
	if err := validateMethod(m); err != nil {
		return 0, nil, err
	}
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		res, err := loadResource(tx, p["api"], p["res"])
		if err != nil {
			return err
		}
		if res.ResourceMethods == nil {
			res.ResourceMethods = map[string]*model.Method{}
		}
		// PutMethod replaces the method request; the method's responses
		// and integration stay (integrations-v1.md §16, Put semantics).
		if old := res.ResourceMethods[m.HTTPMethod]; old != nil {
			m.MethodResponses, m.MethodIntegration = old.MethodResponses, old.MethodIntegration
		}
		res.ResourceMethods[m.HTTPMethod] = m
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, m, nil
}

func (s *Service) getMethod(r *http.Request, p mgmt.Params) (int, any, error) {
	var m *model.Method
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, m, err = s.loadMethod(tx, p)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
}

// patchBoolMap applies add/replace/remove of a name → "true"|"false" entry.
func patchBoolMap(mp *map[string]bool, key string, op mgmt.PatchOp) error {
	switch op.Op {
	case "add", "replace":
		b := op.Val() == "true"
		if op.Val() != "" && op.Val() != "true" && op.Val() != "false" {
			return awserr.BadRequest("Invalid boolean value specified: %s", op.Val())
		}
		if *mp == nil {
			*mp = map[string]bool{}
		}
		(*mp)[key] = b
	case "remove":
		if _, ok := (*mp)[key]; !ok {
			return awserr.NotFound("Invalid parameter name specified")
		}
		delete(*mp, key)
	default:
		return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
	}
	return nil
}

// patchStringMap applies add/replace/remove of a string map entry.
func patchStringMap(mp *map[string]string, key string, op mgmt.PatchOp, notFound string) error {
	switch op.Op {
	case "add", "replace":
		if *mp == nil {
			*mp = map[string]string{}
		}
		(*mp)[key] = op.Val()
	case "remove":
		if _, ok := (*mp)[key]; !ok {
			return awserr.NotFound("%s", notFound)
		}
		delete(*mp, key)
	default:
		return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
	}
	return nil
}

// patchTemplates applies add/replace/remove of a mapping template.
func patchTemplates(mp **model.OrderedMap, key string, op mgmt.PatchOp) error {
	switch op.Op {
	case "add", "replace":
		if *mp == nil {
			*mp = &model.OrderedMap{}
		}
		(*mp).Set(key, op.Val())
	case "remove":
		if !(*mp).Delete(key) {
			return awserr.NotFound("Content-Type specified was not found")
		}
		if (*mp).Len() == 0 {
			*mp = nil
		}
	default:
		return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
	}
	return nil
}

func (s *Service) updateMethod(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateMethodInput")
	if err != nil {
		return 0, nil, err
	}
	var m *model.Method
	err = s.update(r, func(tx store.Tx) error {
		res, mm, err := s.loadMethod(tx, p)
		if err != nil {
			return err
		}
		m = mm
		for _, op := range ops {
			segs := mgmt.PointerSegments(op.Path)
			if len(segs) == 0 {
				return mgmt.InvalidPath(op)
			}
			v := op.Val()
			switch {
			case len(segs) == 1 && op.Op == "replace":
				switch segs[0] {
				case "authorizationType":
					m.AuthorizationType = v
				case "authorizerId":
					m.AuthorizerID = v
				case "apiKeyRequired":
					b, err := parseBool(v)
					if err != nil {
						return err
					}
					m.APIKeyRequired = b
				case "requestValidatorId":
					m.RequestValidatorID = v
				case "operationName":
					m.OperationName = v
				default:
					return mgmt.InvalidPath(op, "/authorizationType", "/authorizerId", "/apiKeyRequired", "/requestValidatorId", "/operationName")
				}
			case len(segs) == 2 && segs[0] == "requestParameters":
				if err := patchBoolMap(&m.RequestParameters, segs[1], op); err != nil {
					return err
				}
			case len(segs) == 2 && segs[0] == "requestModels":
				if err := patchStringMap(&m.RequestModels, segs[1], op, "Content-Type specified was not found"); err != nil {
					return err
				}
			case len(segs) == 2 && segs[0] == "authorizationScopes":
				switch op.Op {
				case "add":
					m.AuthorizationScopes = append(m.AuthorizationScopes, segs[1])
				case "remove":
					for i, sc := range m.AuthorizationScopes {
						if sc == segs[1] {
							m.AuthorizationScopes = append(m.AuthorizationScopes[:i], m.AuthorizationScopes[i+1:]...)
							break
						}
					}
				default:
					return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'")
				}
			default:
				return mgmt.InvalidPath(op)
			}
		}
		if err := validateMethod(m); err != nil {
			return err
		}
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
}

func (s *Service) deleteMethod(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		res, _, err := s.loadMethod(tx, p)
		if err != nil {
			return err
		}
		delete(res.ResourceMethods, p["method"])
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// --- method responses ---

func (s *Service) putMethodResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	var in struct {
		ResponseParameters map[string]bool   `json:"responseParameters"`
		ResponseModels     map[string]string `json:"responseModels"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := model.ValidateStatusCode(p["status"], "putMethodResponseInput.statusCode"); err != nil {
		return 0, nil, err
	}
	if err := model.ValidateMethodResponseParameters(in.ResponseParameters); err != nil {
		return 0, nil, err
	}
	mr := &model.MethodResponse{StatusCode: p["status"], ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
	err := s.update(r, func(tx store.Tx) error {
		res, m, err := s.loadMethod(tx, p)
		if err != nil {
			return err
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*model.MethodResponse{}
		}
		m.MethodResponses[mr.StatusCode] = mr
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, mr, nil
}

func (s *Service) loadMethodResponse(tx store.Tx, p mgmt.Params) (*model.Resource, *model.Method, *model.MethodResponse, error) {
	res, m, err := s.loadMethod(tx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	mr := m.MethodResponses[p["status"]]
	if mr == nil {
		return nil, nil, nil, awserr.NotFound("Invalid Response status code specified")
	}
	return res, m, mr, nil
}

func (s *Service) getMethodResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	var mr *model.MethodResponse
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, _, mr, err = s.loadMethodResponse(tx, p)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, mr, nil
}

func (s *Service) updateMethodResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateMethodResponseInput")
	if err != nil {
		return 0, nil, err
	}
	var mr *model.MethodResponse
	err = s.update(r, func(tx store.Tx) error {
		var res *model.Resource
		var err error
		res, _, mr, err = s.loadMethodResponse(tx, p)
		if err != nil {
			return err
		}
		for _, op := range ops {
			segs := mgmt.PointerSegments(op.Path)
			switch {
			case len(segs) == 2 && segs[0] == "responseParameters":
				if err := patchBoolMap(&mr.ResponseParameters, segs[1], op); err != nil {
					return err
				}
			case len(segs) == 2 && segs[0] == "responseModels":
				if err := patchStringMap(&mr.ResponseModels, segs[1], op, "Content-Type specified was not found"); err != nil {
					return err
				}
			default:
				return mgmt.InvalidPath(op, "/responseParameters/{name}", "/responseModels/{contentType}")
			}
		}
		if err := model.ValidateMethodResponseParameters(mr.ResponseParameters); err != nil {
			return err
		}
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, mr, nil
}

func (s *Service) deleteMethodResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		res, m, _, err := s.loadMethodResponse(tx, p)
		if err != nil {
			return err
		}
		delete(m.MethodResponses, p["status"])
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// --- integrations ---

type putIntegrationInput struct {
	Type                 *string           `json:"type"`
	HTTPMethod           string            `json:"httpMethod"`
	URI                  string            `json:"uri"`
	ConnectionType       string            `json:"connectionType"`
	ConnectionID         string            `json:"connectionId"`
	Credentials          string            `json:"credentials"`
	RequestParameters    map[string]string `json:"requestParameters"`
	RequestTemplates     *model.OrderedMap `json:"requestTemplates"`
	PassthroughBehavior  string            `json:"passthroughBehavior"`
	ContentHandling      string            `json:"contentHandling"`
	TimeoutInMillis      *int              `json:"timeoutInMillis"`
	CacheNamespace       string            `json:"cacheNamespace"`
	CacheKeyParameters   []string          `json:"cacheKeyParameters"`
	TLSConfig            *model.TLSConfig  `json:"tlsConfig"`
	ResponseTransferMode string            `json:"responseTransferMode"`
	IntegrationTarget    string            `json:"integrationTarget"`
}

// checkTemplates parses every template so that one that does not parse is
// rejected at Put time (vtl.md §1.2; issue rule: 400 naming line and column).
func (s *Service) checkTemplates(t *model.OrderedMap) error {
	if s.cfg.CheckTemplate == nil || t == nil {
		return nil
	}
	for _, k := range t.Keys {
		if err := s.cfg.CheckTemplate(t.Values[k]); err != nil {
			return awserr.BadRequest("Invalid mapping template specified for content type %s: %v", k, err)
		}
	}
	return nil
}

func (s *Service) putIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	var in putIntegrationInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Type == nil {
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "putIntegrationInput.type", Constraint: "Member must not be null"})
	}
	it := &model.Integration{
		Type: *in.Type, HTTPMethod: in.HTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType,
		ConnectionID: in.ConnectionID, Credentials: in.Credentials, RequestParameters: in.RequestParameters,
		RequestTemplates: in.RequestTemplates, PassthroughBehavior: in.PassthroughBehavior,
		ContentHandling: in.ContentHandling, CacheNamespace: in.CacheNamespace, CacheKeyParameters: in.CacheKeyParameters,
		TLSConfig: in.TLSConfig, ResponseTransferMode: in.ResponseTransferMode, IntegrationTarget: in.IntegrationTarget,
	}
	if in.TimeoutInMillis != nil {
		it.TimeoutInMillis = *in.TimeoutInMillis
		if it.TimeoutInMillis == 0 {
			it.TimeoutInMillis = -1 // an explicit 0 is out of range, not "default"
		}
	}
	err := s.update(r, func(tx store.Tx) error {
		res, m, err := s.loadMethod(tx, p)
		if err != nil {
			return err
		}
		if err := model.ValidateIntegration(it, m, "putIntegrationInput"); err != nil {
			return err
		}
		if err := s.checkTemplates(it.RequestTemplates); err != nil {
			return err
		}
		model.NormalizeIntegration(it, res.ID)
		if old := m.MethodIntegration; old != nil {
			it.IntegrationResponses = old.IntegrationResponses
		}
		m.MethodIntegration = it
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, it, nil
}

func errNoIntegration() error {
	return awserr.BadRequest("Invalid Integration identifier specified: the method has no integration")
}

func (s *Service) loadIntegration(tx store.Tx, p mgmt.Params) (*model.Resource, *model.Method, *model.Integration, error) {
	res, m, err := s.loadMethod(tx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	if m.MethodIntegration == nil {
		return nil, nil, nil, awserr.NotFound("Invalid Integration identifier specified")
	}
	return res, m, m.MethodIntegration, nil
}

func (s *Service) getIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	var it *model.Integration
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, _, it, err = s.loadIntegration(tx, p)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, it, nil
}

// patchIntegration applies one UpdateIntegration operation
// (integrations-v1.md §16.1).
func patchIntegration(it *model.Integration, op mgmt.PatchOp) error {
	segs := mgmt.PointerSegments(op.Path)
	v := op.Val()
	if len(segs) == 1 {
		if op.Op == "remove" && segs[0] == "contentHandling" {
			it.ContentHandling = ""
			return nil
		}
		if op.Op != "replace" {
			return mgmt.InvalidOp("replace")
		}
		switch segs[0] {
		case "type":
			it.Type = v
		case "httpMethod":
			it.HTTPMethod = v
		case "uri":
			it.URI = v
		case "credentials":
			it.Credentials = v
		case "connectionType":
			it.ConnectionType = v
		case "connectionId":
			it.ConnectionID = v
		case "passthroughBehavior":
			it.PassthroughBehavior = v
		case "contentHandling":
			it.ContentHandling = v
		case "timeoutInMillis":
			n, err := strconv.Atoi(v)
			if err != nil {
				return awserr.BadRequest("Invalid timeout specified: %s", v)
			}
			it.TimeoutInMillis = n
			if n == 0 {
				it.TimeoutInMillis = -1
			}
		case "cacheNamespace":
			it.CacheNamespace = v
		default:
			return mgmt.InvalidPath(op, integrationPatchPaths...)
		}
		return nil
	}
	switch {
	case len(segs) == 2 && segs[0] == "tlsConfig" && segs[1] == "insecureSkipVerification" && op.Op == "replace":
		b, err := parseBool(v)
		if err != nil {
			return err
		}
		if it.TLSConfig == nil {
			it.TLSConfig = &model.TLSConfig{}
		}
		it.TLSConfig.InsecureSkipVerification = b
	case len(segs) == 2 && segs[0] == "requestParameters":
		return patchStringMap(&it.RequestParameters, segs[1], op, "Invalid parameter name specified")
	case len(segs) == 2 && segs[0] == "requestTemplates":
		return patchTemplates(&it.RequestTemplates, segs[1], op)
	case len(segs) == 2 && segs[0] == "cacheKeyParameters":
		switch op.Op {
		case "add":
			it.CacheKeyParameters = append(it.CacheKeyParameters, segs[1])
		case "remove":
			for i, k := range it.CacheKeyParameters {
				if k == segs[1] {
					it.CacheKeyParameters = append(it.CacheKeyParameters[:i], it.CacheKeyParameters[i+1:]...)
					return nil
				}
			}
			return awserr.NotFound("Invalid parameter name specified")
		default:
			return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'")
		}
	default:
		return mgmt.InvalidPath(op, integrationPatchPaths...)
	}
	return nil
}

var integrationPatchPaths = []string{"/type", "/httpMethod", "/uri", "/credentials", "/connectionType", "/connectionId",
	"/passthroughBehavior", "/contentHandling", "/timeoutInMillis", "/cacheNamespace", "/tlsConfig/insecureSkipVerification",
	"/requestParameters/{name}", "/requestTemplates/{contentType}", "/cacheKeyParameters/{name}"}

func (s *Service) updateIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateIntegrationInput")
	if err != nil {
		return 0, nil, err
	}
	var it *model.Integration
	err = s.update(r, func(tx store.Tx) error {
		res, m, cur, err := s.loadIntegration(tx, p)
		if err != nil {
			return err
		}
		it = cur
		for _, op := range ops {
			if err := patchIntegration(it, op); err != nil {
				return err
			}
		}
		if err := model.ValidateIntegration(it, m, "updateIntegrationInput"); err != nil {
			return err
		}
		if err := s.checkTemplates(it.RequestTemplates); err != nil {
			return err
		}
		model.NormalizeIntegration(it, res.ID)
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, it, nil
}

func (s *Service) deleteIntegration(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		res, m, _, err := s.loadIntegration(tx, p)
		if err != nil {
			return err
		}
		m.MethodIntegration = nil // its integration responses go with it (§16)
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// --- integration responses ---

func (s *Service) putIntegrationResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	var in struct {
		SelectionPattern   *string           `json:"selectionPattern"`
		ResponseParameters map[string]string `json:"responseParameters"`
		ResponseTemplates  *model.OrderedMap `json:"responseTemplates"`
		ContentHandling    string            `json:"contentHandling"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	ir := &model.IntegrationResponse{StatusCode: p["status"], SelectionPattern: in.SelectionPattern,
		ResponseParameters: in.ResponseParameters, ResponseTemplates: in.ResponseTemplates, ContentHandling: in.ContentHandling}
	if err := model.ValidateStatusCode(ir.StatusCode, "putIntegrationResponseInput.statusCode"); err != nil {
		return 0, nil, err
	}
	err := s.update(r, func(tx store.Tx) error {
		res, m, it, err := s.loadIntegration(tx, p)
		if err != nil {
			return err
		}
		if m.MethodResponses[ir.StatusCode] == nil {
			return awserr.NotFound("Invalid Response status code specified")
		}
		if err := model.ValidateIntegrationResponse(ir, m, "putIntegrationResponseInput"); err != nil {
			return err
		}
		if err := s.checkTemplates(ir.ResponseTemplates); err != nil {
			return err
		}
		if it.IntegrationResponses == nil {
			it.IntegrationResponses = map[string]*model.IntegrationResponse{}
		}
		it.IntegrationResponses[ir.StatusCode] = ir
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ir, nil
}

func (s *Service) loadIntegrationResponse(tx store.Tx, p mgmt.Params) (*model.Resource, *model.Method, *model.IntegrationResponse, error) {
	res, m, it, err := s.loadIntegration(tx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	ir := it.IntegrationResponses[p["status"]]
	if ir == nil {
		return nil, nil, nil, awserr.NotFound("Invalid Response status code specified")
	}
	return res, m, ir, nil
}

func (s *Service) getIntegrationResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	var ir *model.IntegrationResponse
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, _, ir, err = s.loadIntegrationResponse(tx, p)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ir, nil
}

func (s *Service) updateIntegrationResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateIntegrationResponseInput")
	if err != nil {
		return 0, nil, err
	}
	var ir *model.IntegrationResponse
	err = s.update(r, func(tx store.Tx) error {
		res, m, cur, err := s.loadIntegrationResponse(tx, p)
		if err != nil {
			return err
		}
		ir = cur
		for _, op := range ops {
			segs := mgmt.PointerSegments(op.Path)
			switch {
			case len(segs) == 1 && segs[0] == "selectionPattern" && op.Op == "replace":
				v := op.Val()
				ir.SelectionPattern = &v
			case len(segs) == 1 && segs[0] == "contentHandling" && (op.Op == "replace" || op.Op == "remove"):
				ir.ContentHandling = op.Val()
			case len(segs) == 2 && segs[0] == "responseParameters":
				if err := patchStringMap(&ir.ResponseParameters, segs[1], op, "Invalid parameter name specified"); err != nil {
					return err
				}
			case len(segs) == 2 && segs[0] == "responseTemplates":
				if err := patchTemplates(&ir.ResponseTemplates, segs[1], op); err != nil {
					return err
				}
			default:
				return mgmt.InvalidPath(op, "/selectionPattern", "/contentHandling", "/responseParameters/{name}", "/responseTemplates/{contentType}")
			}
		}
		if err := model.ValidateIntegrationResponse(ir, m, "updateIntegrationResponseInput"); err != nil {
			return err
		}
		if err := s.checkTemplates(ir.ResponseTemplates); err != nil {
			return err
		}
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ir, nil
}

func (s *Service) deleteIntegrationResponse(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		res, m, _, err := s.loadIntegrationResponse(tx, p)
		if err != nil {
			return err
		}
		delete(m.MethodIntegration.IntegrationResponses, p["status"])
		return saveResource(tx, p["api"], res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
