package httpapi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/vpclink"
	"github.com/portico-dev/portico/internal/vtl"
)

// errTimeout marks an integration timeout: 503 Service Unavailable
// (integrations-v2.md §7.4).
var errTimeout = errors.New("integration timeout")

type targetKind uint8

const (
	kindHTTP targetKind = iota
	kindLambda
	kindSubtype
)

// target is a compiled integration, shared by the routes naming it.
type target struct {
	broken  error // the integration could not be compiled: 500
	kind    targetKind
	method  string // "" means the client's method (ANY)
	timeout time.Duration

	// HTTP_PROXY
	uri        uriTemplate
	appendPath bool
	private    bool
	pool       *vpclink.Pool // private integrations: where connections go
	scheme     string
	host       string // Host header and TLS server name of private targets
	backend    integration.Integration

	reqMap        *mapping.V2RequestMapper
	respMap       *mapping.V2ResponseMapper
	overwritePath bool // requestParameters has overwrite:path

	// AWS_PROXY to Lambda
	function uriTemplate // function ARN, may hold ${stageVariables.x}
	payload  string      // "1.0" or "2.0"
	subtype  string
}

// Response is an integration result on its way to the client: status,
// headers and body.
type Response struct {
	status int
	header http.Header
	body   []byte
}

// uriTemplate is a URI compiled at deploy time into static text, route
// path variables {name} and ${stageVariables.name}.
type uriTemplate struct{ parts []uriPart }

type uriPart struct {
	kind uint8 // 0 text, 1 path variable, 2 stage variable
	text string
}

func compileURI(s string) uriTemplate {
	var t uriTemplate
	for len(s) > 0 {
		i := strings.IndexAny(s, "{$")
		if i < 0 {
			t.parts = append(t.parts, uriPart{text: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, uriPart{text: s[:i]})
			s = s[i:]
		}
		if strings.HasPrefix(s, "${stageVariables.") {
			if j := strings.IndexByte(s, '}'); j > 0 {
				t.parts = append(t.parts, uriPart{kind: 2, text: s[len("${stageVariables."):j]})
				s = s[j+1:]
				continue
			}
		}
		if s[0] == '{' {
			if j := strings.IndexByte(s, '}'); j > 0 {
				name := strings.TrimSuffix(s[1:j], "+")
				t.parts = append(t.parts, uriPart{kind: 1, text: name})
				s = s[j+1:]
				continue
			}
		}
		t.parts = append(t.parts, uriPart{text: s[:1]})
		s = s[1:]
	}
	return t
}

// render appends the URI for one request: path variables are escaped
// per segment (slashes of a greedy {proxy} kept), stage variables as is.
func (t *uriTemplate) render(b []byte, x *exchange) []byte {
	for _, p := range t.parts {
		switch p.kind {
		case 0:
			b = append(b, p.text...)
		case 1:
			v, _ := x.params.Get(p.text)
			b = appendPathEscaped(b, v)
		case 2:
			b = append(b, x.stage.vars[p.text]...)
		}
	}
	return b
}

func appendPathEscaped(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '/' || shouldKeep(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
	}
	return b
}

func shouldKeep(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

func (s *Server) compileTarget(it *model.V2Integration, links map[string]*model.V2VpcLink) (*target, error) {
	t := &target{timeout: time.Duration(it.TimeoutInMillis) * time.Millisecond, payload: it.PayloadFormatVersion}
	if t.timeout <= 0 {
		t.timeout = model.V2DefaultTimeoutHTTP * time.Millisecond
	}
	if it.IntegrationMethod != "" && it.IntegrationMethod != "ANY" {
		t.method = it.IntegrationMethod
	}
	var err error
	if len(it.ResponseParameters) > 0 {
		if t.respMap, err = mapping.CompileV2ResponseParameters(it.ResponseParameters); err != nil {
			return nil, err
		}
	}
	switch it.IntegrationType {
	case model.TypeHTTPProxy:
		t.kind = kindHTTP
		if len(it.RequestParameters) > 0 {
			if t.reqMap, err = mapping.CompileV2RequestParameters(it.RequestParameters); err != nil {
				return nil, err
			}
			_, t.overwritePath = it.RequestParameters["overwrite:path"]
		}
		if it.ConnectionType == "VPC_LINK" {
			return t, s.compilePrivate(t, it, links)
		}
		u, err := url.Parse(it.IntegrationURI)
		if err != nil {
			return nil, fmt.Errorf("integrationUri: %w", err)
		}
		t.appendPath = u.Path == "" && u.RawPath == ""
		t.uri = compileURI(it.IntegrationURI)
		t.backend = s.http.For(false)
	case model.TypeAWSProxy:
		if it.IntegrationSubtype != "" {
			t.kind, t.subtype = kindSubtype, it.IntegrationSubtype
			return t, nil
		}
		t.kind = kindLambda
		arn, ok := model.LambdaFunctionARN(it.IntegrationURI)
		if !ok {
			return nil, fmt.Errorf("integrationUri %s names no Lambda function", it.IntegrationURI)
		}
		t.function = compileURI(arn)
	default:
		return nil, fmt.Errorf("integration type %s is not served for HTTP APIs", it.IntegrationType)
	}
	return t, nil
}

// compilePrivate resolves a private integration's upstreams through its
// VPC link (see resolveUpstreams). Connections go to the upstreams
// round-robin with passive health; the Host header and, with tlsConfig,
// the TLS server name are serverNameToVerify (integrations-v2.md §2.3).
func (s *Server) compilePrivate(t *target, it *model.V2Integration, links map[string]*model.V2VpcLink) error {
	t.private = true
	link := links[it.ConnectionID]
	if link == nil {
		return fmt.Errorf("vpc link %s not found", it.ConnectionID)
	}
	ups, err := resolveUpstreams(s.cfg.Targets, it.IntegrationURI, link)
	if err != nil {
		return err
	}
	t.pool = vpclink.NewPool(ups)
	t.scheme = "http"
	t.host = ups[0]
	t.backend = s.http.For(false)
	if it.TLSConfig != nil {
		t.scheme = "https"
		if it.TLSConfig.ServerNameToVerify != "" {
			t.host = it.TLSConfig.ServerNameToVerify
		}
	}
	return nil
}

func (t *target) invoke(ctx context.Context, s *Server, x *exchange) (*Response, error) {
	if t.broken != nil {
		return nil, t.broken
	}
	switch t.kind {
	case kindHTTP:
		return t.invokeHTTP(ctx, s, x)
	case kindLambda:
		return t.invokeLambda(ctx, s, x)
	}
	return nil, fmt.Errorf("integrationSubtype %s is not served by Portico", t.subtype)
}

// newTraceID returns an X-Ray trace header for a request that came
// without one: "Root=1-{8 hex epoch seconds}-{24 hex}"
// (errors-and-gateway-responses.md §1).
func newTraceID(start time.Time) string {
	const digits = "0123456789abcdef"
	var b [7 + 8 + 1 + 24]byte
	copy(b[:], "Root=1-")
	sec := uint32(start.Unix())
	for i := range 8 {
		b[7+i] = digits[sec>>(28-4*i)&0xf]
	}
	b[15] = '-'
	r := rand.Uint64()
	for i := range 24 {
		if i == 16 {
			r = rand.Uint64()
		}
		b[16+i] = digits[r&0xf]
		r >>= 4
	}
	return string(b[:])
}

// droppedResponse reports the backend response headers not returned to
// clients.
func droppedResponse(k string) bool {
	switch k {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Content-Length":
		return true
	}
	return false
}

func (t *target) invokeHTTP(ctx context.Context, s *Server, x *exchange) (*Response, error) {
	r := x.r
	method := t.method
	if method == "" {
		method = r.Method
	}
	var mreq *mapping.Request
	if t.reqMap != nil || t.respMap != nil {
		mreq = s.mappingRequest(x)
	}
	// Path: private integrations get the stage segment, public ones the
	// path below the stage (integrations-v2.md §2.2).
	reqPath := x.path
	if t.private {
		reqPath = x.rawPath
	}
	rawQuery := r.URL.RawQuery
	// The client's header goes as it is (the upstream client leaves out
	// hop-by-hop fields); the gateway's own fields are Extra.
	hdr := r.Header
	if t.reqMap != nil {
		out := mapping.V2Outgoing{Path: unescapePath(reqPath)}
		for k, vs := range r.Header {
			if integration.NotForwarded(k) {
				continue
			}
			for _, v := range vs {
				out.Headers = append(out.Headers, mapping.Param{Name: k, Value: v})
			}
		}
		if rawQuery != "" {
			for _, part := range strings.Split(rawQuery, "&") {
				k, v, _ := strings.Cut(part, "=")
				k, _ = url.QueryUnescape(k)
				v, _ = url.QueryUnescape(v)
				out.Query = append(out.Query, mapping.Param{Name: k, Value: v})
			}
		}
		t.reqMap.Apply(mreq, &out)
		hdr = make(http.Header, len(out.Headers)+4)
		for _, p := range out.Headers {
			k := http.CanonicalHeaderKey(p.Name)
			hdr[k] = append(hdr[k], p.Value)
		}
		var q []byte
		for i, p := range out.Query {
			if i > 0 {
				q = append(q, '&')
			}
			q = append(q, url.QueryEscape(p.Name)...)
			q = append(q, '=')
			q = append(q, url.QueryEscape(p.Value)...)
		}
		rawQuery = string(q)
		p := out.Path
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		reqPath = string(appendPathEscaped(nil, p))
	}
	// The fields API Gateway sets on every request to an HTTP backend; a
	// mapping may not set them itself (integrations-v2.md §5.3 reserves
	// X-Forwarded-For/-Proto and x-amzn-*). [inferred for HTTP APIs from
	// the REST HTTP_PROXY behaviour observed in integrations-v1.md §11]
	forwardedFor := remoteIP(r.RemoteAddr)
	if prior := firstValue(r.Header["X-Forwarded-For"]); prior != "" {
		forwardedFor = prior + ", " + forwardedFor
	}
	extra := append(x.extra[:0], integration.Field{Name: "X-Forwarded-For", Value: forwardedFor},
		integration.Field{Name: "X-Forwarded-Proto", Value: "http"}, integration.Field{Name: "X-Forwarded-Port", Value: forwardedPort(r.Host)})
	if _, ok := hdr["X-Amzn-Trace-Id"]; !ok {
		extra = append(extra, integration.Field{Name: "X-Amzn-Trace-Id", Value: newTraceID(x.start)})
	}

	buf := x.urlBuf[:0]
	if t.private {
		buf = append(buf, t.scheme...)
		buf = append(buf, "://"...)
		buf = append(buf, t.host...)
		buf = append(buf, reqPath...)
	} else {
		buf = t.uri.render(buf, x)
		if t.appendPath {
			buf = append(buf, reqPath...)
		} else if t.overwritePath {
			if u, err := url.Parse(string(buf)); err == nil {
				buf = append(buf[:0], u.Scheme+"://"+u.Host...)
				buf = append(buf, reqPath...)
			}
		}
	}
	if rawQuery != "" {
		if strings.IndexByte(string(buf), '?') >= 0 {
			buf = append(buf, '&')
		} else {
			buf = append(buf, '?')
		}
		buf = append(buf, rawQuery...)
	}
	x.urlBuf = buf
	ireq := &x.ireq
	if x.scratch == nil {
		x.scratch = new(integration.Scratch)
	}
	*ireq = integration.Request{Method: method, URL: string(buf), Header: hdr, Extra: extra, Body: x.body, Timeout: t.timeout,
		Upstreams: t.pool, Scratch: x.scratch}
	resp, err := t.backend.Invoke(ctx, ireq)
	if err != nil {
		var ge *awserr.GatewayError
		if errors.As(err, &ge) && ge.Type == awserr.IntegrationTimeout {
			return nil, fmt.Errorf("%w: %v", errTimeout, err)
		}
		return nil, err
	}
	// The backend's header map is ours: drop what clients never get, in place.
	res := &x.res
	*res = Response{status: resp.StatusCode, header: resp.Header, body: resp.Body}
	if res.header == nil {
		res.header = http.Header{}
	}
	// Fields clients never get are left out as the answer is copied
	// (Server.serve); response parameters must not see them either.
	if t.respMap != nil {
		for k := range res.header {
			if droppedResponse(k) {
				delete(res.header, k)
			}
		}
		t.mapResponse(mreq, res)
	}
	return res, nil
}

// mapResponse applies responseParameters for the backend's status
// (integrations-v2.md §6).
func (t *target) mapResponse(mreq *mapping.Request, res *Response) {
	ir := &mapping.IntegrationResponse{Body: res.body}
	for k, vs := range res.header {
		for _, v := range vs {
			ir.Headers = append(ir.Headers, mapping.Param{Name: k, Value: v})
		}
	}
	out := mapping.V2Response{Status: res.status, Headers: ir.Headers}
	out.Headers = append(mapping.Params(nil), ir.Headers...)
	if !t.respMap.Apply(mreq, ir, &out) {
		return
	}
	res.status = out.Status
	h := make(http.Header, len(out.Headers))
	for _, p := range out.Headers {
		k := http.CanonicalHeaderKey(p.Name)
		h[k] = append(h[k], p.Value)
	}
	res.header = h
}

// mappingRequest describes the request for parameter mappings
// (integrations-v2.md §5.2).
func (s *Server) mappingRequest(x *exchange) *mapping.Request {
	r := x.r
	mr := &mapping.Request{Method: r.Method, Path: unescapePath(x.path), Body: x.body}
	for name, v := range x.params.All() {
		mr.PathParams = append(mr.PathParams, mapping.Param{Name: name, Value: v})
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			mr.Headers = append(mr.Headers, mapping.Param{Name: k, Value: v})
		}
	}
	if q := r.URL.RawQuery; q != "" {
		for _, part := range strings.Split(q, "&") {
			k, v, _ := strings.Cut(part, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			mr.Query = append(mr.Query, mapping.Param{Name: k, Value: v})
		}
	}
	for _, p := range x.stage.varList {
		mr.StageVariables = append(mr.StageVariables, mapping.Param{Name: p.k, Value: p.v})
	}
	mr.Context = s.mappingContext(x)
	return mr
}

// mappingContext fills $context for an HTTP API request.
func (s *Server) mappingContext(x *exchange) *mapping.Context {
	r := x.r
	c := &mapping.Context{RequestID: x.requestID, ExtendedRequestID: x.requestID, AccountID: s.cfg.AccountID,
		APIID: x.api.id, DeploymentID: x.stage.dep.id, DomainName: r.Host, DomainPrefix: domainPrefix(r.Host),
		HTTPMethod: r.Method, Path: unescapePath(x.rawPath), Protocol: r.Proto, Stage: x.stage.name,
		RequestTime: x.start, ResourcePath: x.routeKey}
	c.Identity.SourceIP = remoteIP(r.RemoteAddr)
	c.Identity.UserAgent = r.Header.Get("User-Agent")
	c.Vars = mapping.Params{{Name: "routeKey", Value: x.routeKey}}
	if x.claims != nil {
		au := vtl.NewMap(2)
		cm := vtl.NewMap(len(x.claims))
		for k, v := range x.claims {
			cm.Put(k, claimString(v))
		}
		au.Put("claims", cm)
		if x.scopes != nil {
			au.Put("scopes", strings.Join(x.scopes, " "))
		}
		c.Authorizer = au
	}
	return c
}

func domainPrefix(host string) string {
	if i := strings.IndexByte(host, '.'); i > 0 {
		return host[:i]
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func remoteIP(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

func forwardedPort(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[i+1:]
	}
	return "80"
}

// firstValue is http.Header.Get for a name already in canonical form.
func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
