package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/portico-dev/portico/internal/jsonpath"
	"github.com/portico-dev/portico/internal/vtl"
)

// Errors of REST parameter mappings at request time.
var (
	// ErrInvalidJSONBody: a method.request.body.X mapping over a body that
	// starts like JSON ({ [ " ') but does not parse; the caller answers
	// 400 {"message": "Invalid JSON in request body"} (integrations-v1.md
	// §6.2).
	ErrInvalidJSONBody = errors.New("Invalid JSON in request body")
	// ErrForbiddenHeader: a mapping targets a header API Gateway refuses
	// to send (integrations-v1.md §6.4); every invocation answers 500
	// Internal server error.
	ErrForbiddenHeader = errors.New("mapping targets a forbidden integration request header")
)

type srcKind uint8

const (
	srcStatic srcKind = iota
	srcMethodPath
	srcMethodQuery
	srcMethodMultiQuery
	srcMethodHeader
	srcMethodMultiHeader
	srcMethodBody
	srcMethodBodyPath
	srcContext
	srcStage
	srcIntHeader
	srcIntMultiHeader
	srcIntBody
	srcIntBodyPath
)

// source is a compiled REST mapping source expression (integrations-v1.md
// §6.2, §13.4; errors-and-gateway-responses.md §2).
type source struct {
	kind srcKind
	name string // parameter, context variable, stage variable or static value
	path *jsonpath.Path
	// errPath evaluates the rest of the path inside a Lambda error's
	// errorMessage JSON string (§13.4).
	errPath *jsonpath.Path
}

// paramName is the rule for mapped names (integrations-v1.md §6.2).
var paramName = regexp.MustCompile(`^[a-zA-Z0-9._$-]+$`)

type srcSet uint32

func (s srcSet) has(k srcKind) bool { return s&(1<<k) != 0 }

func kinds(ks ...srcKind) srcSet {
	var s srcSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

var (
	requestSources  = kinds(srcStatic, srcMethodPath, srcMethodQuery, srcMethodMultiQuery, srcMethodHeader, srcMethodMultiHeader, srcMethodBody, srcMethodBodyPath, srcContext, srcStage)
	responseSources = kinds(srcStatic, srcIntHeader, srcIntMultiHeader, srcIntBody, srcIntBodyPath, srcContext, srcStage)
	gatewaySources  = kinds(srcStatic, srcMethodPath, srcMethodQuery, srcMethodMultiQuery, srcMethodHeader, srcMethodMultiHeader, srcContext, srcStage)
)

// invalidExpr is the control-plane message for a bad source expression
// (integrations-v1.md §16).
func invalidExpr(expr string) error {
	return fmt.Errorf("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", expr)
}

// invalidParam is the message for a bad mapping key [inferred from the
// expression message].
func invalidParam(key string) error {
	return fmt.Errorf("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: %s]", key)
}

func parseSource(expr string, allowed srcSet) (source, error) {
	var s source
	switch {
	case len(expr) >= 2 && expr[0] == '\'' && expr[len(expr)-1] == '\'':
		s = source{kind: srcStatic, name: expr[1 : len(expr)-1]}
	case expr == "method.request.body":
		s.kind = srcMethodBody
	case expr == "integration.response.body":
		s.kind = srcIntBody
	case strings.HasPrefix(expr, "method.request.body."):
		s.kind = srcMethodBodyPath
		s.name = strings.TrimPrefix(expr, "method.request.body.")
	case strings.HasPrefix(expr, "integration.response.body."):
		s.kind = srcIntBodyPath
		s.name = strings.TrimPrefix(expr, "integration.response.body.")
	case strings.HasPrefix(expr, "context."):
		s = source{kind: srcContext, name: strings.TrimPrefix(expr, "context.")}
	case strings.HasPrefix(expr, "stageVariables."):
		s = source{kind: srcStage, name: strings.TrimPrefix(expr, "stageVariables.")}
	default:
		loc, name, ok := cutLast(expr)
		if !ok {
			return s, invalidExpr(expr)
		}
		switch loc {
		case "method.request.path":
			s.kind = srcMethodPath
		case "method.request.querystring":
			s.kind = srcMethodQuery
		case "method.request.multivaluequerystring":
			s.kind = srcMethodMultiQuery
		case "method.request.header":
			s.kind = srcMethodHeader
		case "method.request.multivalueheader":
			s.kind = srcMethodMultiHeader
		case "integration.response.header":
			s.kind = srcIntHeader
		case "integration.response.multivalueheader":
			s.kind = srcIntMultiHeader
		default:
			return s, invalidExpr(expr)
		}
		s.name = name
	}
	if !allowed.has(s.kind) {
		return s, invalidExpr(expr)
	}
	switch s.kind {
	case srcStatic, srcMethodBody, srcIntBody:
	case srcMethodBodyPath, srcIntBodyPath:
		p, err := jsonpath.Compile("$." + s.name)
		if err != nil || s.name == "" {
			return s, invalidExpr(expr)
		}
		s.path = p
		if first, rest, ok := strings.Cut(s.name, "."); ok && s.kind == srcIntBodyPath && first == "errorMessage" {
			if s.errPath, err = jsonpath.Compile("$." + rest); err != nil {
				s.errPath = nil
			}
		}
	case srcContext:
		if s.name == "" || strings.HasPrefix(s.name, ".") || strings.HasSuffix(s.name, ".") {
			return s, invalidExpr(expr)
		}
	default:
		if !paramName.MatchString(s.name) {
			return s, invalidExpr(expr)
		}
	}
	return s, nil
}

// cutLast splits "a.b.c.NAME" after the prefix that names a location;
// NAME may itself contain dots (header names like x.y are legal).
func cutLast(expr string) (loc, name string, ok bool) {
	for _, p := range []string{"method.request.path.", "method.request.querystring.", "method.request.multivaluequerystring.",
		"method.request.header.", "method.request.multivalueheader.", "integration.response.header.", "integration.response.multivalueheader."} {
		if strings.HasPrefix(expr, p) {
			return p[:len(p)-1], expr[len(p):], true
		}
	}
	return "", "", false
}

// IntegrationResponse is what response mappings read: the backend's
// headers and body.
type IntegrationResponse struct {
	Headers Params
	Body    []byte
}

// eval returns the source's value: one string, or several (multi-value
// query strings). ok is false when the value is null or empty, in which
// case the mapping is omitted (integrations-v1.md §6.2).
func (s *source) eval(req *Request, resp *IntegrationResponse, respDoc *bodyCache) (one string, many []string, ok bool, err error) {
	switch s.kind {
	case srcStatic:
		one = s.name
	case srcMethodPath:
		one, _ = req.PathParams.Last(s.name)
	case srcMethodQuery:
		one, _ = req.Query.Last(s.name)
	case srcMethodMultiQuery:
		many = req.Query.All(s.name, false)
		return "", many, len(many) > 0, nil
	case srcMethodHeader:
		one, _ = req.Headers.Last(s.name)
	case srcMethodMultiHeader:
		one, _ = req.Headers.Join(s.name, false)
	case srcMethodBody:
		one = string(req.Body)
	case srcMethodBodyPath:
		doc, err := requestBodyJSON(req)
		if err != nil {
			return "", nil, false, err
		}
		one, ok = pathText(s.path, doc)
		return one, nil, ok && one != "", nil
	case srcContext:
		if req.Context != nil {
			one, _ = req.Context.Lookup(s.name)
		}
	case srcStage:
		one, _ = req.StageVariables.Last(s.name)
	case srcIntHeader:
		one, _ = resp.Headers.LastFold(s.name)
	case srcIntMultiHeader:
		one, _ = resp.Headers.Join(s.name, true)
	case srcIntBody:
		one = string(resp.Body)
	case srcIntBodyPath:
		doc, err := respDoc.json(resp.Body)
		if err != nil {
			return "", nil, false, nil
		}
		if s.errPath != nil {
			if m, isMap := doc.(*vtl.Map); isMap {
				if em, found := m.Get("errorMessage"); found {
					if txt, isStr := em.(string); isStr {
						if inner, err := jsonpath.DecodeString(txt); err == nil {
							one, ok = pathText(s.errPath, inner)
							return one, nil, ok && one != "", nil
						}
					}
				}
			}
		}
		one, ok = pathText(s.path, doc)
		return one, nil, ok && one != "", nil
	}
	return one, nil, one != "", nil
}

// requestBodyJSON parses the method request body for body mappings: a
// body that does not start like JSON is {} (integrations-v1.md §6.2).
func requestBodyJSON(req *Request) (any, error) {
	b := strings.TrimLeft(req.body.bodyString(req.Body), " \t\r\n")
	if b == "" || !strings.ContainsRune(`{["'`, rune(b[0])) {
		return vtl.NewMap(0), nil
	}
	doc, err := req.body.json(req.Body)
	if err != nil {
		return nil, ErrInvalidJSONBody
	}
	return doc, nil
}

// pathText evaluates p and returns strings as they are and other values
// as compact JSON (integrations-v1.md §13.4).
func pathText(p *jsonpath.Path, doc any) (string, bool) {
	v, ok := p.Get(doc)
	if !ok || v == nil {
		return "", false
	}
	if s, isStr := v.(string); isStr {
		return s, true
	}
	return string(jsonpath.AppendJSON(nil, v)), true
}

// Location is where a mapped parameter goes.
type Location uint8

// Locations of mapped parameters.
const (
	LocHeader Location = iota
	LocQuery
	LocPath
)

type mapping struct {
	loc  Location
	name string
	src  source
}

// RequestMapper is a compiled integration requestParameters map
// (integrations-v1.md §6). Immutable; safe for concurrent use.
type RequestMapper struct {
	maps      []mapping
	forbidden bool
}

// Mapped receives the integration request parameters a RequestMapper
// produces. A multi-value source gives repeated query parameters.
type Mapped struct {
	Headers, Query, Path Params
}

// Reset clears m for reuse.
func (m *Mapped) Reset() {
	m.Headers, m.Query, m.Path = m.Headers[:0], m.Query[:0], m.Path[:0]
}

// forbiddenHeaders are integration request headers that make every
// invocation fail (integrations-v1.md §6.4), lower-case; awsOnly ones
// only for AWS and AWS_PROXY integrations.
var (
	forbiddenHeaders = []string{"content-length", "transfer-encoding", "x-amzn-trace-id", "x-amzn-apigateway-api-id"}
	forbiddenAWS     = []string{"authorization", "connection", "expect", "proxy-authenticate", "te"}
)

// ForbiddenRequestHeader reports whether mapping or overriding the
// integration request header name fails every invocation of an
// integration of the given type (integrations-v1.md §6.4).
func ForbiddenRequestHeader(integrationType, name string) bool {
	for _, h := range forbiddenHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	if integrationType == "AWS" || integrationType == "AWS_PROXY" {
		for _, h := range forbiddenAWS {
			if strings.EqualFold(h, name) {
				return true
			}
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CompileRequestParameters compiles requestParameters (target → source)
// for an integration of integrationType, at deploy time. Mappings run
// in key order. The errors are ValidateRequestParameters'.
func CompileRequestParameters(params map[string]string, integrationType string) (*RequestMapper, error) {
	m := &RequestMapper{}
	for _, k := range sortedKeys(params) {
		loc, name, err := requestTarget(k)
		if err != nil {
			return nil, err
		}
		src, err := parseSource(params[k], requestSources)
		if err != nil {
			return nil, err
		}
		if loc == LocHeader && ForbiddenRequestHeader(integrationType, name) {
			m.forbidden = true
		}
		m.maps = append(m.maps, mapping{loc: loc, name: name, src: src})
	}
	return m, nil
}

func requestTarget(k string) (Location, string, error) {
	var loc Location
	var name string
	switch {
	case strings.HasPrefix(k, "integration.request.header."):
		loc, name = LocHeader, k[len("integration.request.header."):]
	case strings.HasPrefix(k, "integration.request.querystring."):
		loc, name = LocQuery, k[len("integration.request.querystring."):]
	case strings.HasPrefix(k, "integration.request.path."):
		loc, name = LocPath, k[len("integration.request.path."):]
	default:
		return 0, "", invalidParam(k)
	}
	if !paramName.MatchString(name) {
		return 0, "", invalidParam(k)
	}
	return loc, name, nil
}

// Len reports the number of mappings.
func (m *RequestMapper) Len() int { return len(m.maps) }

// Map evaluates the mappings for req into out. Sources that are null or
// empty are omitted. It fails with ErrInvalidJSONBody (400) or
// ErrForbiddenHeader (500).
func (m *RequestMapper) Map(req *Request, out *Mapped) error {
	if m.forbidden {
		return ErrForbiddenHeader
	}
	for i := range m.maps {
		mp := &m.maps[i]
		one, many, ok, err := mp.src.eval(req, nil, nil)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		dst := &out.Headers
		switch mp.loc {
		case LocQuery:
			dst = &out.Query
		case LocPath:
			dst = &out.Path
		}
		if many != nil {
			if mp.loc == LocQuery {
				for _, v := range many {
					*dst = append(*dst, Param{mp.name, v})
				}
				continue
			}
			one = strings.Join(many, ",")
		}
		*dst = append(*dst, Param{mp.name, one})
	}
	return nil
}

// ValidateRequestParameters checks an integration's requestParameters at
// Put time (integrations-v1.md §6, §16). declared, when not nil, reports
// whether a method.request.{path|querystring|header}.NAME parameter is
// declared on the method (multivalue sources are checked under their
// single-value name).
func ValidateRequestParameters(params map[string]string, declared func(param string) bool) error {
	for _, k := range sortedKeys(params) {
		if _, _, err := requestTarget(k); err != nil {
			return err
		}
		src, err := parseSource(params[k], requestSources)
		if err != nil {
			return err
		}
		if declared != nil {
			// AWS names the undeclared source as a parameter.
			if p := declaredName(src); p != "" && !declared(p) {
				return invalidParam(params[k])
			}
		}
	}
	return nil
}

func declaredName(s source) string {
	switch s.kind {
	case srcMethodPath:
		return "method.request.path." + s.name
	case srcMethodQuery, srcMethodMultiQuery:
		return "method.request.querystring." + s.name
	case srcMethodHeader, srcMethodMultiHeader:
		return "method.request.header." + s.name
	}
	return ""
}

// ResponseMapper is a compiled integration-response or gateway-response
// responseParameters map (integrations-v1.md §13.4,
// errors-and-gateway-responses.md §2). Immutable.
type ResponseMapper struct {
	maps []mapping
}

// CompileResponseParameters compiles an IntegrationResponse's
// responseParameters (method.response.header.NAME → source). declared,
// when not nil, reports whether the method response declares the header
// ("Only headers declared in the method response may be mapped").
func CompileResponseParameters(params map[string]string, declared func(header string) bool) (*ResponseMapper, error) {
	return compileResponse(params, "method.response.header.", responseSources, declared)
}

// CompileGatewayResponseParameters compiles a gateway response's
// responseParameters (gatewayresponse.header.NAME → 'static',
// method.request.*, stageVariables.*, context.*).
func CompileGatewayResponseParameters(params map[string]string) (*ResponseMapper, error) {
	return compileResponse(params, "gatewayresponse.header.", gatewaySources, nil)
}

// ValidateResponseParameters checks an IntegrationResponse's
// responseParameters at Put time; see CompileResponseParameters.
func ValidateResponseParameters(params map[string]string, declared func(header string) bool) error {
	_, err := CompileResponseParameters(params, declared)
	return err
}

func compileResponse(params map[string]string, prefix string, allowed srcSet, declared func(string) bool) (*ResponseMapper, error) {
	m := &ResponseMapper{}
	for _, k := range sortedKeys(params) {
		name, ok := strings.CutPrefix(k, prefix)
		if !ok || !paramName.MatchString(name) {
			return nil, invalidParam(k)
		}
		if declared != nil && !declared(name) {
			return nil, invalidParam(k)
		}
		src, err := parseSource(params[k], allowed)
		if err != nil {
			return nil, err
		}
		m.maps = append(m.maps, mapping{loc: LocHeader, name: name, src: src})
	}
	return m, nil
}

// Len reports the number of mappings.
func (m *ResponseMapper) Len() int { return len(m.maps) }

// Map evaluates the mappings and appends the resulting headers to out;
// unresolvable sources are omitted. resp may be nil for gateway
// responses.
func (m *ResponseMapper) Map(req *Request, resp *IntegrationResponse, out *Params) {
	if resp == nil {
		resp = &IntegrationResponse{}
	}
	var doc bodyCache
	for i := range m.maps {
		mp := &m.maps[i]
		one, many, ok, err := mp.src.eval(req, resp, &doc)
		if err != nil || !ok {
			continue
		}
		if many != nil {
			one = strings.Join(many, ",")
		}
		*out = append(*out, Param{mp.name, one})
	}
}
