package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/model"
)

// RESTConfig is what a REST method is compiled from.
type RESTConfig struct {
	APIID       string
	Resource    *model.Resource
	Method      *model.Method
	Integration *model.Integration
	// Backend sends the integration request (nil for MOCK).
	Backend integration.Integration
}

// CompileREST compiles one REST method into its stages.
func CompileREST(cfg RESTConfig) (*Method, error) {
	it := cfg.Integration
	stages := []Stage{}
	if req := requiredParams(cfg.Method); len(req) > 0 {
		stages = append(stages, &methodRequest{required: req})
	}
	timeout := time.Duration(it.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = model.DefaultTimeoutMillis * time.Millisecond
	}
	switch it.Type {
	case model.TypeMock:
		resp, err := compileResponses(cfg)
		if err != nil {
			return nil, err
		}
		stages = append(stages, &mockRequest{templates: it.RequestTemplates, passthrough: it.PassthroughBehavior}, resp)
	case model.TypeHTTPProxy, model.TypeHTTP:
		u, err := compileURI(it.URI)
		if err != nil {
			return nil, err
		}
		ir := &httpRequest{apiID: cfg.APIID, uri: u, method: it.HTTPMethod, timeout: timeout,
			proxy: it.Type == model.TypeHTTPProxy, pathSources: pathSources(it, u)}
		stages = append(stages, ir, &invoke{backend: cfg.Backend})
		if it.Type == model.TypeHTTPProxy {
			stages = append(stages, proxyResponse{})
		} else {
			resp, err := compileResponses(cfg)
			if err != nil {
				return nil, err
			}
			stages = append(stages, resp)
		}
	default:
		return nil, fmt.Errorf("integration type %s is not served yet", it.Type)
	}
	return NewMethod(stages...), nil
}

// requiredParams lists the method request parameters marked required.
func requiredParams(m *model.Method) []string {
	var out []string
	for k, req := range m.RequestParameters {
		if req {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// methodRequest enforces required method request parameters
// (errors-and-gateway-responses.md §3 BAD_REQUEST_PARAMETERS).
type methodRequest struct{ required []string }

func (s *methodRequest) Name() string { return "Method request" }

func (s *methodRequest) Run(_ context.Context, x *Exchange) error {
	var missing []string
	for _, k := range s.required {
		loc, name, _ := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
		var ok bool
		switch loc {
		case "header":
			ok = x.Header.Get(name) != ""
		case "querystring":
			_, ok = x.Query()[name]
		case "path":
			_, ok = x.Params.Get(name)
		}
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return &awserr.GatewayError{Type: awserr.BadRequestParameters,
			Message: "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"}
	}
	return nil
}

// pathSources resolves each {name} of the uri: from the mapping
// integration.request.path.name = method.request.path.x, or else from the
// method's path parameter of the same name.
func pathSources(it *model.Integration, u *uriTemplate) map[string]string {
	out := map[string]string{}
	for _, name := range u.placeholders() {
		src := name
		if v, ok := it.RequestParameters["integration.request.path."+name]; ok {
			if p, found := strings.CutPrefix(v, "method.request.path."); found {
				src = p
			}
		}
		out[name] = src
	}
	return out
}

// droppedRequestHeaders are removed from every incoming request before
// any processing (integrations-v1.md §6.5).
var droppedRequestHeaders = []string{"Connection", "Content-Length", "Content-Md5", "Expect", "Max-Forwards",
	"Proxy-Authenticate", "Server", "Te", "Transfer-Encoding", "Trailer", "Upgrade", "Www-Authenticate",
	"Keep-Alive", "Proxy-Connection", "Host", "Content-Encoding"}

// httpRequest builds the integration request of HTTP and HTTP_PROXY
// integrations (integrations-v1.md §6.5, §11).
type httpRequest struct {
	apiID       string
	uri         *uriTemplate
	method      string
	timeout     time.Duration
	proxy       bool
	pathSources map[string]string
}

func (s *httpRequest) Name() string { return "Endpoint request" }

func (s *httpRequest) Run(_ context.Context, x *Exchange) error {
	var b strings.Builder
	s.uri.render(&b, func(name string) string {
		v, _ := x.Params.Get(s.pathSources[name])
		return v
	}, x.StageVars)
	if x.RawQuery != "" && s.proxy {
		if strings.Contains(b.String(), "?") {
			b.WriteByte('&')
		} else {
			b.WriteByte('?')
		}
		b.WriteString(x.RawQuery)
	}
	r := &x.IntReq
	r.URL = b.String()
	r.Method = s.method
	if r.Method == "" || r.Method == "ANY" {
		r.Method = x.HTTPMethod
	}
	r.Timeout = s.timeout
	h := make(http.Header, len(x.Header)+6)
	if s.proxy {
		for k, vs := range x.Header {
			h[k] = vs
		}
		for _, k := range droppedRequestHeaders {
			delete(h, k)
		}
		h["X-Forwarded-For"] = []string{forwardedFor(x)}
		h["X-Forwarded-Proto"] = []string{"http"}
		h["X-Forwarded-Port"] = []string{forwardedPort(x.Host)}
	} else {
		// Non-proxy HTTP: client headers are not forwarded, only these
		// defaults (and mapped headers).
		h["Accept"] = []string{"application/json"}
		h["User-Agent"] = []string{"AmazonAPIGateway_" + s.apiID}
		if ct := x.Header.Get("Content-Type"); ct != "" && len(x.Body) > 0 {
			h["Content-Type"] = []string{ct}
		}
	}
	h["X-Amzn-Apigateway-Api-Id"] = []string{s.apiID}
	h["X-Amzn-Trace-Id"] = []string{traceID(x)}
	r.Header = h
	r.Body = x.Body
	if x.Trace != nil {
		x.Trace.Note("Endpoint request URI", r.Method+" "+r.URL)
	}
	return nil
}

func forwardedFor(x *Exchange) string {
	if prior := x.Header.Get("X-Forwarded-For"); prior != "" {
		return prior + ", " + x.SourceIP
	}
	return x.SourceIP
}

func forwardedPort(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[i+1:]
	}
	return "80"
}

func traceID(x *Exchange) string {
	if t := x.Header.Get("X-Amzn-Trace-Id"); t != "" {
		return t
	}
	return "Root=1-" + strconv.FormatInt(x.Start.Unix(), 16) + "-" + strings.ReplaceAll(x.RequestID, "-", "")[:24]
}

// invoke calls the backend.
type invoke struct{ backend integration.Integration }

func (s *invoke) Name() string { return "Endpoint response" }

func (s *invoke) Run(ctx context.Context, x *Exchange) error {
	resp, err := s.backend.Invoke(ctx, &x.IntReq)
	if err != nil {
		return err
	}
	x.IntResp = resp
	return nil
}

// remappedHeaders are backend headers API Gateway manages itself; they
// reach the client as x-amzn-Remapped-{Name} (integrations-v1.md §13.5).
var remappedHeaders = map[string]bool{"Authorization": true, "Connection": true, "Content-Length": true,
	"Content-Md5": true, "Date": true, "Expect": true, "Host": true, "Max-Forwards": true,
	"Proxy-Authenticate": true, "Server": true, "Trailer": true, "Upgrade": true, "User-Agent": true,
	"Www-Authenticate": true, "X-Amzn-Requestid": true}

// hopHeaders never cross a proxy.
var hopHeaders = map[string]bool{"Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true, "Te": true}

// proxyResponse returns the backend response as it is (integrations-v1.md §11).
type proxyResponse struct{}

func (proxyResponse) Name() string { return "Method response" }

func (proxyResponse) Run(_ context.Context, x *Exchange) error {
	resp := x.IntResp
	h := make(http.Header, len(resp.Header)+1)
	for k, vs := range resp.Header {
		switch {
		case hopHeaders[k]:
		case remappedHeaders[k]:
			h["X-Amzn-Remapped-"+k] = vs
		default:
			h[k] = vs
		}
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = []string{"application/json"}
	}
	x.Result = Result{Status: resp.StatusCode, Header: h, Body: resp.Body}
	return nil
}

// mockRequest answers MOCK integrations: the request template's
// statusCode selects the integration response (integrations-v1.md §14).
type mockRequest struct {
	templates   *model.OrderedMap
	passthrough string
}

func (s *mockRequest) Name() string { return "Integration request" }

func (s *mockRequest) Run(_ context.Context, x *Exchange) error {
	status := 200
	if s.templates.Len() > 0 {
		key := mediaType(x.Header.Get("Content-Type"))
		tpl, ok := s.templates.Get(key)
		if ok {
			var out struct {
				StatusCode *json.Number `json:"statusCode"`
			}
			if err := json.Unmarshal([]byte(tpl), &out); err != nil || out.StatusCode == nil {
				return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("mock template output has no integer statusCode")}
			}
			n, err := out.StatusCode.Int64()
			if err != nil {
				return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("mock statusCode %s is not an integer", out.StatusCode)}
			}
			status = int(n)
		} else if s.passthrough != "WHEN_NO_MATCH" {
			return &awserr.GatewayError{Type: awserr.UnsupportedMediaType}
		}
	} else if s.passthrough == "NEVER" {
		return &awserr.GatewayError{Type: awserr.UnsupportedMediaType}
	}
	x.IntResp = &integration.Response{StatusCode: status, Header: http.Header{}}
	return nil
}

// mediaType strips parameters from a Content-Type; none means
// application/json (integrations-v1.md §7).
func mediaType(ct string) string {
	if ct == "" {
		return "application/json"
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// intResponse is one compiled integration response.
type intResponse struct {
	status    int
	pattern   *regexp.Regexp // nil: the default response
	params    map[string]string
	templates *model.OrderedMap
	declared  map[string]bool
}

// integrationResponse selects and applies an integration response
// (integrations-v1.md §13).
type integrationResponse struct {
	responses []intResponse // patterned ones in a fixed order, then the default
	def       *intResponse
}

func compileResponses(cfg RESTConfig) (*integrationResponse, error) {
	s := &integrationResponse{}
	codes := make([]string, 0, len(cfg.Integration.IntegrationResponses))
	for code := range cfg.Integration.IntegrationResponses {
		codes = append(codes, code)
	}
	// Several matching patterns: the lowest status code wins
	// (integrations-v1.md §13.3 leaves the order open; we fix it).
	sort.Strings(codes)
	for _, code := range codes {
		ir := cfg.Integration.IntegrationResponses[code]
		n, _ := strconv.Atoi(ir.StatusCode)
		c := intResponse{status: n, params: ir.ResponseParameters, templates: ir.ResponseTemplates}
		if mr := cfg.Method.MethodResponses[code]; mr != nil {
			c.declared = mr.ResponseParameters
		}
		if ir.SelectionPattern == nil || *ir.SelectionPattern == "" {
			d := c
			s.def = &d
			continue
		}
		re, err := model.CompileSelectionPattern(*ir.SelectionPattern)
		if err != nil {
			return nil, fmt.Errorf("selection pattern %q: %w", *ir.SelectionPattern, err)
		}
		c.pattern = re
		s.responses = append(s.responses, c)
	}
	return s, nil
}

func (s *integrationResponse) Name() string { return "Integration response" }

func (s *integrationResponse) Run(_ context.Context, x *Exchange) error {
	sel := strconv.Itoa(x.IntResp.StatusCode)
	var chosen *intResponse
	for i := range s.responses {
		if s.responses[i].pattern.MatchString(sel) {
			chosen = &s.responses[i]
			break
		}
	}
	if chosen == nil {
		chosen = s.def
	}
	if chosen == nil {
		return &awserr.GatewayError{Type: awserr.APIConfigurationError,
			Cause: fmt.Errorf("no match for output mapping and no default output mapping configured (selection value %s)", sel)}
	}
	if x.Trace != nil {
		x.Trace.Note("Integration response", "selection value "+sel+" → method response "+strconv.Itoa(chosen.status))
	}
	h := http.Header{}
	for target, src := range chosen.params {
		name := strings.TrimPrefix(target, "method.response.header.")
		if v, ok := responseSource(src, x); ok {
			h.Set(name, v)
		}
	}
	body := x.IntResp.Body
	ct := "application/json"
	if chosen.templates.Len() > 0 {
		key := selectResponseTemplate(chosen.templates, x.Header.Get("Accept"))
		body = []byte(chosen.templates.Values[key])
		ct = key
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", ct)
	}
	x.Result = Result{Status: chosen.status, Header: h, Body: body}
	return nil
}

// responseSource evaluates the static and header sources of a response
// parameter mapping (integrations-v1.md §13.4).
func responseSource(src string, x *Exchange) (string, bool) {
	switch {
	case len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'':
		return src[1 : len(src)-1], true
	case strings.HasPrefix(src, "integration.response.header."):
		vs := x.IntResp.Header.Values(strings.TrimPrefix(src, "integration.response.header."))
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case strings.HasPrefix(src, "integration.response.multivalueheader."):
		vs := x.IntResp.Header.Values(strings.TrimPrefix(src, "integration.response.multivalueheader."))
		return strings.Join(vs, ","), len(vs) > 0
	case src == "integration.response.body":
		return string(x.IntResp.Body), true
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := x.StageVars[strings.TrimPrefix(src, "stageVariables.")]
		return v, ok
	}
	return "", false
}

// selectResponseTemplate picks the response template by Accept, then
// application/json, then the first defined (integrations-v1.md §13.6).
func selectResponseTemplate(t *model.OrderedMap, accept string) string {
	if accept != "" {
		first := accept
		if i := strings.IndexByte(first, ','); i >= 0 {
			first = first[:i]
		}
		if _, ok := t.Get(mediaType(first)); ok {
			return mediaType(first)
		}
	}
	if _, ok := t.Get("application/json"); ok {
		return "application/json"
	}
	return t.Keys[0]
}
