package apigw

import (
	"context"
	"net/http"

	"github.com/portico-dev/portico/internal/deploy"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// TestInvoker runs a stored (undeployed) method with an execution trace.
type TestInvoker interface {
	TestInvoke(ctx context.Context, in deploy.TestRequest) (*deploy.TestResult, error)
}

type testInvokeInput struct {
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	ClientCertificateID string              `json:"clientCertificateId"`
	StageVariables      map[string]string   `json:"stageVariables"`
}

type testInvokeOutput struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Log               string              `json:"log"`
	Latency           int64               `json:"latency"`
}

// testInvokeMethod is TestInvokeMethod (what `aws apigateway
// test-invoke-method` calls): the method as stored now, not as deployed.
func (s *Service) testInvokeMethod(r *http.Request, p mgmt.Params) (int, any, error) {
	var in testInvokeInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	var (
		api *model.RestApi
		res *model.Resource
		m   *model.Method
	)
	err := s.view(r, func(tx store.Tx) error {
		var err error
		if api, err = s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		res, m, err = s.loadMethod(tx, p)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	if s.cfg.TestInvoker == nil || m.MethodIntegration == nil {
		return 0, nil, errNoIntegration()
	}
	h := http.Header{}
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		h.Set(k, v)
	}
	out, err := s.cfg.TestInvoker.TestInvoke(r.Context(), deploy.TestRequest{APIID: api.ID, AccountID: s.cfg.AccountID,
		Resource: res, Method: m, BinaryMediaTypes: api.BinaryMediaTypes, PathWithQuery: in.PathWithQueryString,
		Header: h, Body: []byte(in.Body), StageVariables: in.StageVariables})
	if err != nil {
		return 0, nil, err
	}
	resp := testInvokeOutput{Status: out.Status, Body: string(out.Body), Headers: map[string]string{},
		MultiValueHeaders: map[string][]string{}, Log: out.Log, Latency: out.Latency.Milliseconds()}
	for k, vs := range out.Header {
		resp.Headers[k] = vs[len(vs)-1]
		resp.MultiValueHeaders[k] = vs
	}
	return http.StatusOK, resp, nil
}
