package mapping

import (
	"sync"

	"github.com/portico-dev/portico/internal/jsonpath"
	"github.com/portico-dev/portico/internal/vtl"
)

// PathCache holds compiled JSONPaths by source so that $input.path('...')
// and $input.json('...') compile each literal once. It is safe for
// concurrent use and bounded; one belongs to each compiled Template.
type PathCache struct {
	m  sync.Map // string → *jsonpath.Path
	n  int32
	mu sync.Mutex
}

const maxCachedPaths = 256

// Compile returns the compiled path for src.
func (c *PathCache) Compile(src string) (*jsonpath.Path, error) {
	if c == nil {
		return jsonpath.Compile(src)
	}
	if p, ok := c.m.Load(src); ok {
		return p.(*jsonpath.Path), nil
	}
	p, err := jsonpath.Compile(src)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.n < maxCachedPaths {
		c.n++
		c.m.Store(src, p)
	}
	c.mu.Unlock()
	return p, nil
}

// inputObj is $input (vtl.md §2) over one payload: the method request
// body in request templates, the integration response body in response
// templates. Parameters always come from the method request.
type inputObj struct {
	req     *Request
	payload []byte
	cache   *bodyCache
	paths   *PathCache
}

var _ vtl.Object = (*inputObj)(nil)

func (in *inputObj) Property(name string) (any, bool) {
	switch name {
	case "body":
		if len(in.payload) == 0 {
			return "{}", true
		}
		return in.cache.bodyString(in.payload), true
	}
	return nil, false
}

func (in *inputObj) Call(name string, args []any) (any, error) {
	switch name {
	case "params":
		switch len(args) {
		case 0:
			return in.req.ParamsMap(), nil
		case 1:
			if args[0] == nil {
				return "", nil
			}
			return in.req.Param(javaString(args[0])), nil
		}
	case "path":
		if len(args) == 1 {
			v, ok, err := in.eval(args[0])
			if err != nil || !ok {
				return nil, err
			}
			return v, nil
		}
	case "json":
		if len(args) == 1 {
			v, ok, err := in.eval(args[0])
			if err != nil {
				return nil, err
			}
			if !ok {
				return `""`, nil // vtl.md §2: no match renders ""
			}
			if s, isStr := v.(string); isStr {
				return string(jsonpath.AppendQuoted(nil, s)), nil
			}
			return string(jsonpath.AppendJSON(nil, v)), nil
		}
	case "body":
		if len(args) == 0 {
			v, _ := in.Property("body")
			return v, nil
		}
	}
	return nil, vtl.ErrNoMethod
}

// eval evaluates a JSONPath argument over the payload. A payload that
// is not JSON gives no match; a path that does not compile fails the
// render.
func (in *inputObj) eval(arg any) (any, bool, error) {
	if arg == nil {
		return nil, false, nil
	}
	p, err := in.paths.Compile(javaString(arg))
	if err != nil {
		return nil, false, err
	}
	doc, err := in.cache.json(in.payload)
	if err != nil {
		return nil, false, nil
	}
	v, ok := p.Get(doc)
	return v, ok, nil
}
