package mapping

import (
	"strings"

	"github.com/portico-dev/portico/internal/jsonpath"
	"github.com/portico-dev/portico/internal/vtl"
)

// Param is one name/value pair of a request part.
type Param struct {
	Name, Value string
}

// Params is an ordered, multi-valued list of parameters as received
// (query strings, headers, path parameters, stage variables).
type Params []Param

// Last returns the last value named name (case-sensitive).
func (p Params) Last(name string) (string, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Name == name {
			return p[i].Value, true
		}
	}
	return "", false
}

// LastFold is Last with a case-insensitive name (headers).
func (p Params) LastFold(name string) (string, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if strings.EqualFold(p[i].Name, name) {
			return p[i].Value, true
		}
	}
	return "", false
}

// All returns every value named name, in order; fold makes the name
// case-insensitive.
func (p Params) All(name string, fold bool) []string {
	var out []string
	for _, kv := range p {
		if kv.Name == name || (fold && strings.EqualFold(kv.Name, name)) {
			out = append(out, kv.Value)
		}
	}
	return out
}

// Join returns every value named name joined with ",", and whether there
// was any.
func (p Params) Join(name string, fold bool) (string, bool) {
	var b []byte
	found := false
	for _, kv := range p {
		if kv.Name == name || (fold && strings.EqualFold(kv.Name, name)) {
			if found {
				b = append(b, ',')
			}
			b = append(b, kv.Value...)
			found = true
		}
	}
	return string(b), found
}

// Request describes a method request (REST) or route request (HTTP API)
// as the mapping rules see it. The pipeline fills it once per request;
// mapping only reads it.
type Request struct {
	Method       string // HTTP method
	Path         string // request path without the stage, e.g. /pets/7
	ResourcePath string // resource or route path, e.g. /pets/{petId}
	PathParams   Params // path parameters, URL-decoded
	Query        Params // query parameters in order, repeated names kept
	Headers      Params // headers in order, names as received
	Body         []byte // method request body after content handling (§10.1)
	Context      *Context
	// StageVariables are the stage's variables ($stageVariables,
	// stageVariables.X sources).
	StageVariables Params

	// Derived values, computed on first use.
	paramsMap                    *vtl.Map
	pathMap, queryMap, headerMap *vtl.Map
	stageMap                     *vtl.Map
	views                        [3]partView
	body                         bodyCache
	resp                         bodyCache // the integration response body
	scope                        renderScope
	// renderer is the working storage of the request's renders, which
	// run one after the other.
	renderer vtl.Renderer
}

// Reset clears r for reuse from a pool, keeping allocated capacity: the
// storage of the parsed body is reused by the next request, so Reset
// must only be called once every render and mapping of the request has
// finished (rendered output and mapped values are copies and stay
// valid; values taken out of the parsed body do not).
func (r *Request) Reset() {
	// Field by field rather than one struct assignment: the Request is
	// large and most of it is storage kept for the next request.
	r.Method, r.Path, r.ResourcePath = "", "", ""
	r.PathParams, r.Query, r.Headers = r.PathParams[:0], r.Query[:0], r.Headers[:0]
	r.StageVariables = r.StageVariables[:0]
	r.Body, r.Context = nil, nil
	r.paramsMap, r.pathMap, r.queryMap, r.headerMap, r.stageMap = nil, nil, nil, nil, nil
	for i := range r.views {
		r.views[i].p, r.views[i].haveNames = nil, false
	}
	r.body.reset()
	r.resp.reset()
	r.scope = renderScope{}
}

// bodyCache holds a body parsed as JSON, once. The parse (validation,
// and whether the text is canonical) comes first; the vtl values are
// built from it only when a template navigates them, so $input.json('$')
// over a compact body never builds them.
type bodyCache struct {
	dec    jsonpath.Decoder
	done   bool // parsed
	valued bool // v built
	root   jsonpath.Node
	v      any
	err    error
	text   string
	// used is set once the decoder has handed out storage since its
	// last reset, so a body never read costs no reset.
	used bool
}

// reset forgets the parsed body; the decoder's storage is reused.
func (c *bodyCache) reset() {
	c.forget()
	if c.used {
		c.dec.Reset()
		c.used = false
	}
}

// forget forgets the parsed body but keeps what was decoded valid (the
// decoder is not reset), for a second body within one request.
func (c *bodyCache) forget() {
	c.done, c.valued = false, false
	c.root, c.v, c.err, c.text = jsonpath.Node{}, nil, nil, ""
}

// responseBody returns the cache of an integration response body. It
// lives in the Request, so response templates parse into the request's
// reused storage; another body starts over.
func (r *Request) responseBody(body []byte) *bodyCache {
	if c := &r.resp; (c.done || c.text != "") && c.text != string(body) {
		c.forget()
	}
	return &r.resp
}

// parse parses b once and reports whether it is JSON. An empty body
// reads as {} (vtl.md §2).
func (c *bodyCache) parse(b []byte) error {
	if !c.done {
		c.done, c.used = true, true
		c.text = c.dec.Copy(b)
		if len(b) == 0 {
			c.v, c.valued = vtl.NewMap(0), true
		} else {
			c.root, c.err = c.dec.Parse(c.text)
		}
	}
	return c.err
}

// canonical reports whether the parsed body's text is AppendJSON's
// printing of its value.
func (c *bodyCache) canonical() bool {
	return c.done && c.err == nil && c.root != (jsonpath.Node{}) && c.dec.Canonical()
}

// json returns b parsed as JSON, built once.
func (c *bodyCache) json(b []byte) (any, error) {
	if err := c.parse(b); err != nil {
		return nil, err
	}
	if !c.valued {
		c.v, c.valued = c.root.Value(), true
	}
	return c.v, nil
}

// bodyString returns b as a string, converting once.
func (c *bodyCache) bodyString(b []byte) string {
	if c.text == "" && len(b) > 0 {
		c.text, c.used = c.dec.Copy(b), true
	}
	return c.text
}

// ParamsMap returns $input.params(): a map with the keys path,
// querystring and header in that order, each a map name→value holding
// the last value of repeated names (vtl.md §2). It is built once per
// request and shared by every template of the request.
func (r *Request) ParamsMap() *vtl.Map {
	if r.paramsMap == nil {
		m := vtl.NewMap(3)
		m.Put("path", r.partMap("path"))
		m.Put("querystring", r.partMap("querystring"))
		m.Put("header", r.partMap("header"))
		r.paramsMap = m
	}
	return r.paramsMap
}

func singleMap(p Params) *vtl.Map {
	m := vtl.NewMap(len(p))
	for i := range p {
		m.Put(p[i].Name, boxString(&p[i].Value))
	}
	return m
}

// Param returns $input.params(name): path, then query string, then
// header (case-insensitive), "" when absent (vtl.md §2).
func (r *Request) Param(name string) string {
	if p := r.param(name); p != nil {
		return *p
	}
	return ""
}

func (r *Request) param(name string) *string {
	if i := r.PathParams.index(name, false); i >= 0 {
		return &r.PathParams[i].Value
	}
	if i := r.Query.index(name, false); i >= 0 {
		return &r.Query[i].Value
	}
	if i := r.Headers.index(name, true); i >= 0 {
		return &r.Headers[i].Value
	}
	return nil
}

// index returns the position of the last value named name, or -1.
func (p Params) index(name string, fold bool) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Name == name || (fold && strings.EqualFold(p[i].Name, name)) {
			return i
		}
	}
	return -1
}

// partView returns a view of one of $input.params()'s maps, nil for
// other names.
func (r *Request) partView(part string) *partView {
	if i := partIndex(part); i >= 0 {
		return r.partViewAt(i)
	}
	return nil
}

// partIndex numbers the maps of $input.params(): path, querystring,
// header; -1 for other names.
func partIndex(part string) int {
	switch part {
	case "path":
		return 0
	case "querystring":
		return 1
	case "header":
		return 2
	}
	return -1
}

// partViewAt returns the view of the map numbered i by partIndex.
func (r *Request) partViewAt(i int) *partView {
	v := &r.views[i]
	if v.p == nil {
		switch i {
		case 0:
			v.p = &r.PathParams
		case 1:
			v.p = &r.Query
		default:
			v.p = &r.Headers
		}
	}
	return v
}

// partMap returns one of $input.params()'s maps, built once.
func (r *Request) partMap(part string) *vtl.Map {
	switch part {
	case "path":
		if r.pathMap == nil {
			r.pathMap = singleMap(r.PathParams)
		}
		return r.pathMap
	case "querystring":
		if r.queryMap == nil {
			r.queryMap = singleMap(r.Query)
		}
		return r.queryMap
	case "header":
		if r.headerMap == nil {
			r.headerMap = singleMap(r.Headers)
		}
		return r.headerMap
	}
	return nil
}

// StageVariablesMap returns $stageVariables as a map, built once per
// request.
func (r *Request) StageVariablesMap() *vtl.Map {
	if r.stageMap == nil {
		r.stageMap = singleMap(r.StageVariables)
	}
	return r.stageMap
}
