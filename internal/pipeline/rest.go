package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/integration/lambdaproxy"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/vpclink"
)

// RESTConfig is what a REST method is compiled from.
type RESTConfig struct {
	APIID       string
	Resource    *model.Resource
	Method      *model.Method
	Integration *model.Integration
	// Backend sends the integration request (nil for MOCK).
	Backend integration.Integration
	// BinaryMediaTypes is the API's binaryMediaTypes (§10).
	BinaryMediaTypes []string
	// Links resolves VPC link ids for private integrations (§4.1).
	Links func(id string) *vpclink.Link
}

// CompileREST compiles one REST method into its stages: templates,
// mappings, selection patterns and the uri are compiled here, once.
func CompileREST(cfg RESTConfig) (*Method, error) {
	it := cfg.Integration
	var stages []Stage
	if req := requiredParams(cfg.Method); len(req) > 0 {
		stages = append(stages, &methodRequest{required: req})
	}
	timeout := time.Duration(it.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = model.DefaultTimeoutMillis * time.Millisecond
	}
	mapper, err := mapping.CompileRequestParameters(it.RequestParameters, it.Type)
	if err != nil {
		return nil, fmt.Errorf("request parameters: %w", err)
	}
	proxy := it.Type == model.TypeHTTPProxy || it.Type == model.TypeAWSProxy
	var templates *compiledTemplates
	if !proxy {
		if templates, err = compileTemplates(it.RequestTemplates); err != nil {
			return nil, fmt.Errorf("request templates: %w", err)
		}
	}
	var u *uriTemplate
	if it.URI != "" {
		if u, err = compileURI(it.URI); err != nil {
			return nil, err
		}
	}
	binary := compileBinaryTypes(cfg.BinaryMediaTypes)
	ir := &integrationRequest{apiID: cfg.APIID, kind: it.Type, binaryTypes: cfg.BinaryMediaTypes, uri: u, method: it.HTTPMethod, timeout: timeout,
		mapper: mapper, templates: templates, passthrough: it.PassthroughBehavior,
		binary: binary, contentHandling: it.ContentHandling}
	if it.ConnectionType == "VPC_LINK" {
		if cfg.Links == nil {
			return nil, fmt.Errorf("private integration without a VPC link resolver")
		}
		ir.links = cfg.Links
		if ir.connection, err = compileURI(it.ConnectionID); err != nil {
			return nil, fmt.Errorf("connectionId: %w", err)
		}
	}
	stages = append(stages, ir)
	switch it.Type {
	case model.TypeMock:
		stages = append(stages, mockInvoke{})
	default:
		if cfg.Backend == nil {
			return nil, fmt.Errorf("integration type %s has no backend", it.Type)
		}
		stages = append(stages, &invoke{backend: cfg.Backend})
	}
	if proxy {
		stages = append(stages, proxyResponse{})
	} else {
		resp, err := compileResponses(cfg)
		if err != nil {
			return nil, err
		}
		stages = append(stages, resp)
	}
	m := NewMethod(stages...)
	m.resourceID = cfg.Resource.ID
	m.Info = MethodInfo{HTTPMethod: cfg.Method.HTTPMethod, ResourcePath: cfg.Resource.Path,
		CacheNamespace: it.CacheNamespace, CacheKeyParameters: it.CacheKeyParameters}
	return m, nil
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

// compiledTemplates is a templates map compiled once, keys in definition
// order.
type compiledTemplates struct {
	keys []string
	tpls map[string]*mapping.Template
}

func compileTemplates(m *model.OrderedMap) (*compiledTemplates, error) {
	c := &compiledTemplates{tpls: map[string]*mapping.Template{}}
	if m == nil {
		return c, nil
	}
	for _, k := range m.Keys {
		t, err := mapping.CompileTemplate(m.Values[k])
		if err != nil {
			return nil, fmt.Errorf("template for %s: %w", k, err)
		}
		c.keys = append(c.keys, k)
		c.tpls[k] = t
	}
	return c, nil
}

// droppedRequestHeaders are removed from every incoming request before
// any processing (integrations-v1.md §6.5).
var droppedRequestHeaders = []string{"Connection", "Content-Length", "Content-Md5", "Expect", "Max-Forwards",
	"Proxy-Authenticate", "Server", "Te", "Transfer-Encoding", "Trailer", "Upgrade", "Www-Authenticate",
	"Keep-Alive", "Proxy-Connection", "Host", "Content-Encoding"}

// integrationRequest builds the integration request (spec README step 6):
// parameter mappings, template selection and passthrough, rendering,
// overrides, uri rendering (integrations-v1.md §6–§8, §11).
type integrationRequest struct {
	apiID       string
	kind        string
	uri         *uriTemplate
	method      string
	timeout     time.Duration
	mapper      *mapping.RequestMapper
	templates   *compiledTemplates // nil for proxy kinds
	passthrough string
	// Content handling of the request payload (§10.1).
	binary          binaryTypes
	contentHandling string
	// Private integrations: the connectionId (stage variables allowed)
	// and the VPC link resolver (§4.1).
	connection *uriTemplate
	links      func(id string) *vpclink.Link
	// binaryTypes is the API's binaryMediaTypes (Lambda proxy events).
	binaryTypes []string
}

func (s *integrationRequest) Name() string { return "Integration request" }

func (s *integrationRequest) Run(_ context.Context, x *Exchange) error {
	proxy := s.templates == nil
	mapped := &x.Mapped
	if s.mapper.Len() > 0 {
		if err := s.mapper.Map(x.Mapping(), mapped); err != nil {
			if errors.Is(err, mapping.ErrInvalidJSONBody) {
				return &awserr.GatewayError{Type: awserr.BadRequestBody, Message: "Invalid JSON in request body"}
			}
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
		}
		if x.Trace != nil {
			x.Trace.Note("Request parameter mapping", fmt.Sprintf("headers %v query %v path %v", mapped.Headers, mapped.Query, mapped.Path))
		}
	}
	body := x.Body
	if !proxy {
		key, d := mapping.SelectRequestTemplate(x.Header.Get("Content-Type"), s.templates.keys, s.passthrough)
		if d == mapping.Unsupported {
			return &awserr.GatewayError{Type: awserr.UnsupportedMediaType}
		}
		isBinary := s.binary.match(x.Header.Get("Content-Type"))
		converted, err := convertRequest(body, isBinary, s.contentHandling)
		if err != nil {
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
		}
		if s.contentHandling != "" {
			body = converted
			x.Mapping().Body = converted // templates see $input.body after conversion (§7.1)
		}
		switch d {
		case mapping.Transform:
			if !isText(body) {
				return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: errors.New("a template cannot be applied to a binary payload")}
			}
			var buf bytes.Buffer
			if err := s.templates.tpls[key].RenderRequest(&buf, x.Mapping(), &x.Overrides); err != nil {
				return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("request template %s: %w", key, err)}
			}
			body = buf.Bytes()
			x.Transformed = true
			if x.Trace != nil {
				x.Trace.Note("Request template", key+" → "+truncate(buf.String()))
			}
		default:
			if x.Trace != nil {
				x.Trace.Note("Request template", "no template for the content type: body passed through")
			}
		}
	}
	r := &x.IntReq
	r.Body = body
	r.Timeout = s.timeout
	r.Method = s.method
	if r.Method == "" || r.Method == "ANY" {
		r.Method = x.HTTPMethod
	}
	if s.kind == model.TypeMock {
		return nil
	}
	// URL: {name} from integration.request.path.name, then overrides; for
	// proxies without a mapping, the method path parameter of that name.
	var b strings.Builder
	if s.uri != nil {
		s.uri.render(&b, func(name string) string {
			if v, ok := overrideValue(x.Overrides.RequestPath, name); ok {
				return v
			}
			if v, ok := mapped.Path.Last(name); ok {
				return v
			}
			if proxy {
				// A proxy without a mapping for {name} takes the method's
				// path parameter of that name.
				v, _ := x.Params.Get(name)
				return v
			}
			return ""
		}, x.StageVars)
	}
	awsKind := s.kind == model.TypeAWS || s.kind == model.TypeAWSProxy
	query := x.RawQuery
	if !proxy || awsKind {
		query = ""
	}
	if !awsKind {
		query = appendQuery(query, mapped.Query, x.Overrides.RequestQuery)
	}
	if query != "" {
		if strings.Contains(b.String(), "?") {
			b.WriteByte('&')
		} else {
			b.WriteByte('?')
		}
		b.WriteString(query)
	}
	r.URL = b.String()
	if s.connection != nil {
		var id strings.Builder
		s.connection.render(&id, func(string) string { return "" }, x.StageVars)
		link := s.links(id.String())
		switch {
		case link == nil:
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("vpc link %q not found", id.String())}
		case link.Pool == nil:
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: link.Err}
		}
		r.Upstreams = link.Pool
	}
	if s.kind == model.TypeAWSProxy {
		r.Body = s.lambdaEvent(x)
		if x.Trace != nil {
			x.Trace.Note("Endpoint request body after transformations", truncate(string(r.Body)))
		}
		return nil
	}
	h := x.intHeader()
	if proxy {
		for k, vs := range x.Header {
			h[k] = vs
		}
		for _, k := range droppedRequestHeaders {
			delete(h, k)
		}
		h["X-Forwarded-For"] = x.one(forwardedFor(x))
		h["X-Forwarded-Proto"] = x.one("http")
		h["X-Forwarded-Port"] = x.one(forwardedPort(x.Host))
	} else {
		// Non-proxy: client headers are not forwarded, only these defaults
		// and mapped headers (§6.5).
		h["Accept"] = []string{"application/json"}
		h["User-Agent"] = []string{"AmazonAPIGateway_" + s.apiID}
		if ct := x.Header.Get("Content-Type"); ct != "" {
			h["Content-Type"] = []string{ct}
		} else if len(body) > 0 {
			h["Content-Type"] = []string{"application/json"}
		}
	}
	for _, p := range mapped.Headers {
		h.Set(p.Name, p.Value)
	}
	for _, o := range x.Overrides.RequestHeader {
		h.Del(o.Name)
		for _, v := range o.Values {
			h.Add(o.Name, v)
		}
	}
	if s.kind == model.TypeHTTP || s.kind == model.TypeHTTPProxy {
		h["X-Amzn-Apigateway-Api-Id"] = x.one(s.apiID)
	}
	h["X-Amzn-Trace-Id"] = x.one(traceID(x))
	r.Header = h
	if x.Trace != nil {
		x.Trace.Note("Endpoint request URI", r.Method+" "+r.URL)
	}
	return nil
}

func overrideValue(os []mapping.Override, name string) (string, bool) {
	for _, o := range os {
		if o.Name == name && len(o.Values) > 0 {
			return o.Values[len(o.Values)-1], true
		}
	}
	return "", false
}

// appendQuery adds mapped query parameters (added to the client's, §11)
// and template overrides (replacing, vtl.md §6) to a raw query.
func appendQuery(raw string, mapped mapping.Params, overrides []mapping.Override) string {
	if len(mapped) == 0 && len(overrides) == 0 {
		return raw
	}
	var b strings.Builder
	b.WriteString(raw)
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	overridden := func(k string) bool {
		for _, o := range overrides {
			if o.Name == k {
				return true
			}
		}
		return false
	}
	for _, p := range mapped {
		if !overridden(p.Name) {
			add(p.Name, p.Value)
		}
	}
	for _, o := range overrides {
		for _, v := range o.Values {
			add(o.Name, v)
		}
	}
	return b.String()
}

func truncate(s string) string {
	if len(s) > 1000 {
		return s[:1000] + " [TRUNCATED]"
	}
	return s
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
	var b [64]byte
	t := append(b[:0], "Root=1-"...)
	t = strconv.AppendInt(t, x.Start.Unix(), 16)
	t = append(t, '-')
	n := 0
	for i := 0; i < len(x.RequestID) && n < 24; i++ {
		if c := x.RequestID[i]; c != '-' {
			t = append(t, c)
			n++
		}
	}
	return string(t)
}

// invoke calls the backend.
type invoke struct{ backend integration.Integration }

func (s *invoke) Name() string { return "Endpoint response" }

func (s *invoke) Run(ctx context.Context, x *Exchange) error {
	t0 := time.Now()
	if x.BinaryAccepted {
		ctx = lambdaproxy.WithBinaryAccepted(ctx)
	}
	resp, err := s.backend.Invoke(ctx, &x.IntReq)
	x.IntegrationLatency = time.Since(t0)
	if err != nil {
		return err
	}
	x.IntResp = resp
	if x.Trace != nil {
		x.Trace.Note("Endpoint response", "status "+strconv.Itoa(resp.StatusCode)+" body "+truncate(string(resp.Body)))
	}
	return nil
}

// mockInvoke answers MOCK integrations: the rendered request template is
// JSON whose statusCode selects the integration response; without a
// template the status is 200 (integrations-v1.md §14).
type mockInvoke struct{}

func (mockInvoke) Name() string { return "Mock response" }

func (mockInvoke) Run(_ context.Context, x *Exchange) error {
	status := 200
	if x.Transformed {
		n, err := mockStatus(x.IntReq.Body)
		if err != nil {
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
		}
		status = n
	}
	x.IntResp = &integration.Response{StatusCode: status, Header: http.Header{}}
	return nil
}

// mockStatusRe finds "statusCode": N in a rendered MOCK template; the
// output is otherwise discarded, so a full JSON parse is not needed for
// the common case, but the value must be an integer.
var mockStatusRe = regexp.MustCompile(`"statusCode"\s*:\s*(-?[0-9]+)\b`)

func mockStatus(out []byte) (int, error) {
	m := mockStatusRe.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("mock template output has no integer statusCode: %s", truncate(string(out)))
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return 0, err
	}
	return n, nil
}

// lambdaEvent builds the Lambda proxy event, payload format 1.0
// (integrations-v1.md §9.1, §9.2).
func (s *integrationRequest) lambdaEvent(x *Exchange) []byte {
	h := make(http.Header, len(x.Header)+5)
	for k, vs := range x.Header {
		h[k] = vs
	}
	h["Host"] = []string{x.Host}
	h["X-Forwarded-For"] = []string{forwardedFor(x)}
	h["X-Forwarded-Proto"] = []string{"http"}
	h["X-Forwarded-Port"] = []string{forwardedPort(x.Host)}
	h["X-Amzn-Trace-Id"] = []string{traceID(x)}
	domain := x.Host
	if i := strings.LastIndexByte(domain, ':'); i >= 0 && !strings.Contains(domain[i:], "]") {
		domain = domain[:i]
	}
	prefix, _, _ := strings.Cut(domain, ".")
	x.BinaryAccepted = lambdaproxy.BinaryAccepted(s.binaryTypes, x.Header.Get("Accept"))
	ev := &lambdaproxy.Request{
		Method: x.HTTPMethod, Resource: x.ResourcePath, Path: x.Path, Header: h, Query: x.Query(),
		PathParams: x.Params.All(), StageVars: x.StageVars, Body: x.Body, BinaryMediaTypes: s.binaryTypes,
		Context: lambdaproxy.RequestContext{
			AccountID: x.AccountID, APIID: x.APIID, DeploymentID: x.DeploymentID, DomainName: domain, DomainPrefix: prefix,
			ExtendedRequestID: x.ExtendedID, HTTPMethod: x.HTTPMethod, Path: "/" + x.Stage + x.Path, Protocol: x.Protocol,
			RequestID: x.RequestID, RequestTime: x.Start.UTC().Format("02/Jan/2006:15:04:05 +0000"),
			RequestTimeEpoch: x.Start.UnixMilli(), ResourceID: x.ResourceID, ResourcePath: x.ResourcePath, Stage: x.Stage,
			Identity: lambdaproxy.Identity{SourceIP: x.SourceIP, UserAgent: x.Header.Get("User-Agent")},
		},
	}
	return lambdaproxy.AppendEvent(make([]byte, 0, 1024+len(x.Body)*4/3), ev)
}
