package mapping

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/jsonpath"
)

// HTTP API (v2) parameter mapping: integrations-v2.md §5 (requests) and
// §6 (responses).

type v2VarKind uint8

const (
	v2Text v2VarKind = iota
	v2ReqHeader
	v2ReqQuery
	v2ReqBody
	v2ReqBodyPath
	v2ReqPath
	v2ReqPathParam
	v2Context
	v2Stage
	v2RespHeader
	v2RespBody
	v2RespBodyPath
)

type v2Part struct {
	kind v2VarKind
	text string // static text, or the variable's name
	path *jsonpath.Path
}

// v2Expr is a compiled value expression: static text with embedded
// $var / ${var} references (integrations-v2.md §5.2, §9.3).
type v2Expr struct {
	parts []v2Part
}

// v2BodyLimit: bodies are truncated at 100 KB before JSONPath
// evaluation (integrations-v2.md §5.2).
const v2BodyLimit = 100 << 10

func isV2NameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '[' || c == ']' || c == '\'' || c == '*'
}

// compileV2Expr parses a value. response selects the $response.*
// variables instead of $request.*.
func compileV2Expr(src string, response bool) (v2Expr, error) {
	var e v2Expr
	var text []byte
	flush := func() {
		if len(text) > 0 {
			e.parts = append(e.parts, v2Part{kind: v2Text, text: string(text)})
			text = text[:0]
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' && i+1 < len(src) && src[i+1] == '$' {
			text = append(text, '$')
			i++
			continue
		}
		if c != '$' {
			text = append(text, c)
			continue
		}
		var name string
		end := i + 1
		if end < len(src) && src[end] == '{' {
			close := strings.IndexByte(src[end:], '}')
			if close < 0 {
				return e, fmt.Errorf("unterminated ${ in %q", src)
			}
			name = src[end+1 : end+close]
			end += close + 1
		} else {
			for end < len(src) && isV2NameByte(src[end]) {
				end++
			}
			name = strings.TrimRight(src[i+1:end], ".")
			end = i + 1 + len(name)
		}
		p, known, err := v2Variable(name, response)
		if err != nil {
			return e, fmt.Errorf("%s in %q", err, src)
		}
		if !known {
			text = append(text, src[i:end]...)
		} else {
			flush()
			e.parts = append(e.parts, p)
		}
		i = end - 1
	}
	flush()
	return e, nil
}

func v2Variable(name string, response bool) (v2Part, bool, error) {
	root, rest, _ := strings.Cut(name, ".")
	bodyPath := func(kind v2VarKind, jp string) (v2Part, bool, error) {
		if strings.Contains("$."+jp, "..") || strings.Contains(jp, "?(") {
			return v2Part{}, false, errors.New("JSONPath in parameter mappings supports neither .. nor filters")
		}
		p, err := jsonpath.Compile("$." + jp)
		if err != nil {
			return v2Part{}, false, err
		}
		return v2Part{kind: kind, text: jp, path: p}, true, nil
	}
	switch root {
	case "context":
		if rest == "" {
			return v2Part{}, false, errors.New("$context needs a variable name")
		}
		return v2Part{kind: v2Context, text: rest}, true, nil
	case "stageVariables":
		if rest == "" {
			return v2Part{}, false, errors.New("$stageVariables needs a variable name")
		}
		return v2Part{kind: v2Stage, text: rest}, true, nil
	case "request":
		if response {
			return v2Part{}, false, errors.New("$request is not available in response mappings")
		}
		loc, n, _ := strings.Cut(rest, ".")
		switch {
		case loc == "header" && n != "":
			return v2Part{kind: v2ReqHeader, text: n}, true, nil
		case loc == "querystring" && n != "":
			return v2Part{kind: v2ReqQuery, text: n}, true, nil
		case loc == "body" && n == "" && rest == "body":
			return v2Part{kind: v2ReqBody}, true, nil
		case loc == "body":
			return bodyPath(v2ReqBodyPath, n)
		case loc == "path" && rest == "path":
			return v2Part{kind: v2ReqPath}, true, nil
		case loc == "path" && n != "":
			return v2Part{kind: v2ReqPathParam, text: n}, true, nil
		}
		return v2Part{}, false, fmt.Errorf("unknown variable $%s", name)
	case "response":
		if !response {
			return v2Part{}, false, errors.New("$response is only available in response mappings")
		}
		loc, n, _ := strings.Cut(rest, ".")
		switch {
		case loc == "header" && n != "":
			return v2Part{kind: v2RespHeader, text: n}, true, nil
		case loc == "body" && rest == "body":
			return v2Part{kind: v2RespBody}, true, nil
		case loc == "body":
			return bodyPath(v2RespBodyPath, n)
		}
		return v2Part{}, false, fmt.Errorf("unknown variable $%s", name)
	}
	return v2Part{}, false, nil // anything else is static text
}

// eval renders the expression; undefined variables are "".
func (e *v2Expr) eval(req *Request, resp *IntegrationResponse, respDoc *bodyCache) string {
	if len(e.parts) == 1 && e.parts[0].kind == v2Text {
		return e.parts[0].text
	}
	var b []byte
	for i := range e.parts {
		p := &e.parts[i]
		switch p.kind {
		case v2Text:
			b = append(b, p.text...)
		case v2ReqHeader:
			v, _ := req.Headers.Join(p.text, true)
			b = append(b, v...)
		case v2ReqQuery:
			v, _ := req.Query.Join(p.text, false)
			b = append(b, v...)
		case v2ReqBody:
			b = append(b, req.Body...)
		case v2ReqBodyPath:
			body := req.Body
			if len(body) > v2BodyLimit {
				body = body[:v2BodyLimit]
			}
			var c bodyCache
			if doc, err := c.json(body); err == nil {
				v, _ := pathText(p.path, doc)
				b = append(b, v...)
			}
		case v2ReqPath:
			b = append(b, req.Path...)
		case v2ReqPathParam:
			v, _ := req.PathParams.Last(p.text)
			b = append(b, v...)
		case v2Context:
			if req.Context != nil {
				v, _ := req.Context.Lookup(p.text)
				b = append(b, v...)
			}
		case v2Stage:
			v, _ := req.StageVariables.Last(p.text)
			b = append(b, v...)
		case v2RespHeader:
			v, _ := resp.Headers.Join(p.text, true)
			b = append(b, v...)
		case v2RespBody:
			b = append(b, resp.Body...)
		case v2RespBodyPath:
			body := resp.Body
			if len(body) > v2BodyLimit {
				body = body[:v2BodyLimit]
			}
			if doc, err := respDoc.json(body); err == nil {
				v, _ := pathText(p.path, doc)
				b = append(b, v...)
			}
		}
	}
	return string(b)
}

// V2Action is what a mapping does (integrations-v2.md §5.1).
type V2Action uint8

// Mapping actions.
const (
	Append V2Action = iota
	Overwrite
	Remove
)

// V2Location is what a mapping changes.
type V2Location uint8

// Mapping locations.
const (
	V2Header V2Location = iota
	V2Query
	V2Path
	V2StatusCode
)

type v2Mapping struct {
	action V2Action
	loc    V2Location
	name   string
	value  v2Expr
}

// reservedV2 lists the headers HTTP API mappings may not target
// (integrations-v2.md §5.3); prefixes end in '-'.
var reservedV2 = []string{"access-control-", "apigw-", "authorization", "connection", "content-encoding", "content-length",
	"content-location", "forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te", "trailers",
	"transfer-encoding", "upgrade", "x-amz-", "x-amzn-", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "via"}

// ReservedV2Header reports whether name is reserved for HTTP API
// parameter mapping (integrations-v2.md §5.3).
func ReservedV2Header(name string) bool {
	l := strings.ToLower(name)
	for _, r := range reservedV2 {
		if strings.HasSuffix(r, "-") {
			if strings.HasPrefix(l, r) {
				return true
			}
		} else if l == r {
			return true
		}
	}
	return false
}

// parseV2Key parses "{action}:{location}".
func parseV2Key(k string, response bool) (v2Mapping, error) {
	bad := func(why string) error { return fmt.Errorf("Invalid mapping key %s: %s", k, why) }
	act, loc, ok := strings.Cut(k, ":")
	if !ok {
		return v2Mapping{}, bad("expected {action}:{location}")
	}
	var m v2Mapping
	switch act {
	case "append":
		m.action = Append
	case "overwrite":
		m.action = Overwrite
	case "remove":
		m.action = Remove
	default:
		return m, bad("action must be append, overwrite or remove")
	}
	switch {
	case strings.HasPrefix(loc, "header."):
		m.loc, m.name = V2Header, loc[len("header."):]
		if m.name == "" {
			return m, bad("missing header name")
		}
		if ReservedV2Header(m.name) {
			return m, bad("header " + m.name + " is reserved")
		}
	case strings.HasPrefix(loc, "querystring.") && !response:
		m.loc, m.name = V2Query, loc[len("querystring."):]
		if m.name == "" {
			return m, bad("missing query string name")
		}
	case loc == "path" && !response:
		m.loc = V2Path
		if m.action != Overwrite {
			return m, bad("path supports only overwrite")
		}
	case loc == "statuscode" && response:
		m.loc = V2StatusCode
		if m.action != Overwrite {
			return m, bad("statuscode supports only overwrite")
		}
	default:
		return m, bad("unknown location " + loc)
	}
	return m, nil
}

func compileV2(params map[string]string, response bool) ([]v2Mapping, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	// append < overwrite < remove: values are computed first against
	// the original request, then applied in this order.
	sort.Strings(keys)
	out := make([]v2Mapping, 0, len(keys))
	for _, k := range keys {
		m, err := parseV2Key(k, response)
		if err != nil {
			return nil, err
		}
		if m.action != Remove {
			if m.value, err = compileV2Expr(params[k], response); err != nil {
				return nil, fmt.Errorf("Invalid mapping expression for %s: %v", k, err)
			}
		}
		if m.loc == V2StatusCode && len(m.value.parts) == 1 && m.value.parts[0].kind == v2Text {
			if n, err := strconv.Atoi(m.value.parts[0].text); err != nil || n < 100 || n > 599 {
				return nil, fmt.Errorf("Invalid mapping expression for %s: status code must be 100..599", k)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// V2RequestMapper is a compiled HTTP API requestParameters map.
// Immutable; safe for concurrent use.
type V2RequestMapper struct {
	maps []v2Mapping
}

// CompileV2RequestParameters compiles an HTTP API integration's
// requestParameters (integrations-v2.md §5). The error names the key and
// the rule it breaks (reserved header, unknown action or location, bad
// expression).
func CompileV2RequestParameters(params map[string]string) (*V2RequestMapper, error) {
	maps, err := compileV2(params, false)
	if err != nil {
		return nil, err
	}
	return &V2RequestMapper{maps: maps}, nil
}

// V2Outgoing is the integration request being built: it starts as the
// forwarded request and the mappings change it.
type V2Outgoing struct {
	Headers Params
	Query   Params
	Path    string
}

// Apply evaluates every value against req (once, no recursion), then
// applies the actions to out in key order.
func (m *V2RequestMapper) Apply(req *Request, out *V2Outgoing) {
	var stack [8]string
	vals := stack[:0]
	for i := range m.maps {
		vals = append(vals, m.maps[i].value.eval(req, nil, nil))
	}
	for i := range m.maps {
		mp := &m.maps[i]
		switch mp.loc {
		case V2Header:
			applyV2(&out.Headers, mp.action, mp.name, vals[i], true)
		case V2Query:
			applyV2(&out.Query, mp.action, mp.name, vals[i], false)
		case V2Path:
			out.Path = vals[i]
		}
	}
}

func applyV2(p *Params, act V2Action, name, val string, fold bool) {
	match := func(n string) bool { return n == name || (fold && strings.EqualFold(n, name)) }
	switch act {
	case Append:
		*p = append(*p, Param{name, val})
	case Overwrite, Remove:
		kept := (*p)[:0]
		for _, kv := range *p {
			if !match(kv.Name) {
				kept = append(kept, kv)
			}
		}
		*p = kept
		if act == Overwrite {
			*p = append(*p, Param{name, val})
		}
	}
}

// V2ResponseMapper is a compiled HTTP API responseParameters map:
// status code → mappings (integrations-v2.md §6).
type V2ResponseMapper struct {
	byStatus map[int][]v2Mapping
}

// CompileV2ResponseParameters compiles responseParameters. Keys must be
// status codes 200..599.
func CompileV2ResponseParameters(params map[string]map[string]string) (*V2ResponseMapper, error) {
	m := &V2ResponseMapper{byStatus: make(map[int][]v2Mapping, len(params))}
	for code, mp := range params {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 599 || strconv.Itoa(n) != code {
			return nil, fmt.Errorf("Invalid status code %s in responseParameters: must be 200..599", code)
		}
		maps, err := compileV2(mp, true)
		if err != nil {
			return nil, err
		}
		m.byStatus[n] = maps
	}
	return m, nil
}

// V2Response is the response being returned to the client.
type V2Response struct {
	Status  int
	Headers Params
}

// Apply runs the mappings for the integration's status: header values
// are computed against the original response, then the headers change,
// then the status is overwritten. It reports whether any mapping ran.
func (m *V2ResponseMapper) Apply(req *Request, resp *IntegrationResponse, out *V2Response) bool {
	maps := m.byStatus[out.Status]
	if len(maps) == 0 {
		return false
	}
	var doc bodyCache
	var stack [8]string
	vals := stack[:0]
	for i := range maps {
		vals = append(vals, maps[i].value.eval(req, resp, &doc))
	}
	status := 0
	for i := range maps {
		mp := &maps[i]
		switch mp.loc {
		case V2Header:
			applyV2(&out.Headers, mp.action, mp.name, vals[i], true)
		case V2StatusCode:
			if n, err := strconv.Atoi(strings.TrimSpace(vals[i])); err == nil && n >= 100 && n <= 599 {
				status = n
			}
		}
	}
	if status != 0 {
		out.Status = status
	}
	return true
}
