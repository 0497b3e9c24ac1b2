package mapping

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/portico-dev/portico/internal/jsonpath"
	"github.com/portico-dev/portico/internal/vtl"
)

// PathCache holds compiled JSONPaths by source so that $input.path('...')
// and $input.json('...') compile each literal once. It is safe for
// concurrent use and bounded; one belongs to each compiled Template.
type PathCache struct {
	// recent finds the paths of template literals without hashing: a
	// literal argument is the same string (same bytes at the same
	// address) on every render, and an entry keeps its string alive, so
	// equal address and length mean equal text. Entries fill in order
	// and are scanned, so the literals of a template with up to eight
	// paths never push each other out.
	recent [8]atomic.Pointer[recentPath]
	next   atomic.Uint32 // the entry of recent to fill next
	m      sync.Map      // string → *jsonpath.Path
	n      int32
	mu     sync.Mutex
}

type recentPath struct {
	src string
	p   *jsonpath.Path
}

const maxCachedPaths = 256

// Compile returns the compiled path for src.
func (c *PathCache) Compile(src string) (*jsonpath.Path, error) {
	if c == nil {
		return jsonpath.Compile(src)
	}
	for i := range c.recent {
		e := c.recent[i].Load()
		if e == nil {
			break
		}
		if len(e.src) == len(src) && unsafe.StringData(e.src) == unsafe.StringData(src) {
			return e.p, nil
		}
	}
	if p, ok := c.m.Load(src); ok {
		c.recent[(c.next.Add(1)-1)%uint32(len(c.recent))].Store(&recentPath{src, p.(*jsonpath.Path)})
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
	if f := inputMethod(name, len(args)); f != nil {
		return f(in, args)
	}
	return nil, vtl.ErrNoMethod
}

var _ vtl.Binder = (*inputObj)(nil)

// BindProperty implements vtl.Binder; properties are looked up by name.
func (*inputObj) BindProperty(string) func(recv any) (any, bool) { return nil }

// BindCall implements vtl.Binder for the methods of $input.
func (*inputObj) BindCall(name string, nargs int) func(recv any, args []any) (any, error) {
	if f := inputMethod(name, nargs); f != nil {
		return func(recv any, args []any) (any, error) { return f(recv.(*inputObj), args) }
	}
	return nil
}

var _ vtl.ChainBinder = (*inputObj)(nil)

// BindChain implements vtl.ChainBinder for the maps of $input.params()
// and their get and keySet: $input.params().header.get($h) is one call.
func (*inputObj) BindChain(parts []vtl.ChainPart) func(recv any, args []any) (any, error) {
	if len(parts) < 2 || len(parts) > 3 || parts[0] != (vtl.ChainPart{Name: "params", Method: true}) || parts[1].Method {
		return nil
	}
	i := partIndex(parts[1].Name)
	if i < 0 {
		return nil
	}
	if len(parts) == 2 {
		return func(recv any, _ []any) (any, error) { return recv.(*inputObj).req.partViewAt(i), nil }
	}
	switch parts[2] {
	case vtl.ChainPart{Name: "get", Method: true, NArgs: 1}:
		return func(recv any, args []any) (any, error) { return recv.(*inputObj).req.partViewAt(i).get(args[0]), nil }
	case vtl.ChainPart{Name: "keySet", Method: true}:
		return func(recv any, _ []any) (any, error) { return recv.(*inputObj).req.partViewAt(i).keys(), nil }
	}
	return nil
}

var _ vtl.WriteBinder = (*inputObj)(nil)

// AppendCall implements vtl.CallWriter: $input.params(name) rendered in
// text is written straight into the output.
func (in *inputObj) AppendCall(b []byte, name string, args []any) ([]byte, bool, error) {
	if name != "params" || len(args) != 1 {
		return b, false, nil
	}
	return appendParam(in, b, args)
}

// BindWrite implements vtl.WriteBinder for $input.params(name).
func (*inputObj) BindWrite(name string, nargs int) func(recv any, b []byte, args []any) ([]byte, bool, error) {
	if name != "params" || nargs != 1 {
		return nil
	}
	return appendParam
}

// appendParam appends $input.params(args[0]): the value oneParam
// returns, "" when there is none.
func appendParam(recv any, b []byte, args []any) ([]byte, bool, error) {
	if args[0] == nil {
		return b, true, nil
	}
	if p := recv.(*inputObj).req.param(javaString(args[0])); p != nil {
		b = append(b, *p...)
	}
	return b, true, nil
}

// inputMethod returns the method name of $input taking nargs
// arguments, or nil.
func inputMethod(name string, nargs int) func(in *inputObj, args []any) (any, error) {
	switch {
	case name == "params" && nargs == 0:
		return (*inputObj).allParams
	case name == "params" && nargs == 1:
		return (*inputObj).oneParam
	case name == "path" && nargs == 1:
		return (*inputObj).path
	case name == "json" && nargs == 1:
		return (*inputObj).json
	case name == "body" && nargs == 0:
		return (*inputObj).body
	}
	return nil
}

func (in *inputObj) allParams([]any) (any, error) { return paramsObj{in.req}, nil }

func (in *inputObj) oneParam(args []any) (any, error) {
	if args[0] == nil {
		return "", nil
	}
	if p := in.req.param(javaString(args[0])); p != nil {
		return boxString(p), nil
	}
	return "", nil
}

func (in *inputObj) path(args []any) (any, error) {
	v, ok, err := in.eval(args[0])
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

func (in *inputObj) json(args []any) (any, error) {
	if args[0] == nil {
		return `""`, nil // vtl.md §2: no match renders ""
	}
	p, err := in.paths.Compile(javaString(args[0]))
	if err != nil {
		return nil, err
	}
	if p.Root() && len(in.payload) > 0 && in.cache.parse(in.payload) == nil && in.cache.canonical() {
		// The body is already compact JSON: its text is the answer, and
		// its values need not be built.
		return boxString(&in.cache.text), nil
	}
	v, ok := in.get(p)
	if !ok {
		return `""`, nil // vtl.md §2: no match renders ""
	}
	if v == in.cache.v && in.cache.canonical() {
		return boxString(&in.cache.text), nil
	}
	if s, isStr := v.(string); isStr {
		return string(jsonpath.AppendQuoted(nil, s)), nil
	}
	return string(jsonpath.AppendJSON(nil, v)), nil
}

func (in *inputObj) body([]any) (any, error) {
	v, _ := in.Property("body")
	return v, nil
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
	v, ok := in.get(p)
	return v, ok, nil
}

// get evaluates p over the payload; ok is false when the payload is
// not JSON or nothing matches.
func (in *inputObj) get(p *jsonpath.Path) (any, bool) {
	doc, err := in.cache.json(in.payload)
	if err != nil {
		return nil, false
	}
	return p.Get(doc)
}

// paramsObj is $input.params(): a map with the keys path, querystring
// and header whose inner maps are built on first use (vtl.md §2).
type paramsObj struct{ r *Request }

var paramsKeys = [3]string{"path", "querystring", "header"}

var _ vtl.Binder = paramsObj{}

// BindProperty implements vtl.Binder for the maps of $input.params().
func (paramsObj) BindProperty(name string) func(recv any) (any, bool) {
	i := partIndex(name)
	if i < 0 {
		return nil
	}
	return func(recv any) (any, bool) { return recv.(paramsObj).r.partViewAt(i), true }
}

// BindCall implements vtl.Binder; methods are looked up by name.
func (paramsObj) BindCall(string, int) func(recv any, args []any) (any, error) { return nil }

func (p paramsObj) Property(name string) (any, bool) {
	if v := p.r.partView(name); v != nil {
		return v, true
	}
	return nil, false
}

func (p paramsObj) Call(name string, args []any) (any, error) {
	switch {
	case name == "get" && len(args) == 1:
		v, _ := p.Property(javaString(args[0]))
		return v, nil
	case name == "keySet" && len(args) == 0:
		return vtl.NewList("path", "querystring", "header"), nil
	case name == "containsKey" && len(args) == 1:
		k := javaString(args[0])
		return k == paramsKeys[0] || k == paramsKeys[1] || k == paramsKeys[2], nil
	case name == "size" && len(args) == 0:
		return int64(3), nil
	case name == "isEmpty" && len(args) == 0:
		return false, nil
	case name == "values" && len(args) == 0:
		return vtl.NewList(p.r.partMap("path"), p.r.partMap("querystring"), p.r.partMap("header")), nil
	case name == "entrySet" && len(args) == 0:
		l := vtl.NewList()
		for _, k := range paramsKeys {
			l.Items = append(l.Items, vtl.Entry{Key: k, Value: p.r.partMap(k)})
		}
		return l, nil
	case name == "toString" && len(args) == 0:
		return p.String(), nil
	}
	return nil, vtl.ErrNoMethod
}

// String prints the map Java-style: {path={..}, querystring={..}, header={..}}.
func (p paramsObj) String() string { return javaString(p.r.ParamsMap()) }

// partView is one of $input.params()'s maps (path, querystring, header)
// as a read-only Java map name → last value, viewed directly over the
// request's Params so that reading it allocates nothing.
type partView struct {
	p *Params
	// names is the keySet() list, built on first use in storage the
	// Request keeps from one request to the next.
	names     vtl.List
	haveNames bool
}

var _ vtl.Object = (*partView)(nil)

// Property returns the last value named name (Java map keys are
// case-sensitive).
func (v *partView) Property(name string) (any, bool) {
	if i := v.p.index(name, false); i >= 0 {
		return boxString(&(*v.p)[i].Value), true
	}
	return nil, false
}

// keys returns the distinct names in first-seen order.
func (v *partView) keys() *vtl.List {
	if !v.haveNames {
		p := *v.p
		v.names = vtl.List{Items: v.names.Items[:0]}
	next:
		for i := range p {
			for j := 0; j < i; j++ {
				if p[j].Name == p[i].Name {
					continue next
				}
			}
			v.names.Items = append(v.names.Items, boxString(&p[i].Name))
		}
		v.haveNames = true
	}
	return &v.names
}

// Items returns the values in key order, so #foreach iterates the map's
// values as it does for Java maps.
func (v *partView) Items() []any {
	keys := v.keys().Items
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i], _ = v.Property(k.(string))
	}
	return out
}

var _ vtl.Binder = (*partView)(nil)

// BindProperty implements vtl.Binder; keys are looked up by name.
func (*partView) BindProperty(string) func(recv any) (any, bool) { return nil }

// BindCall implements vtl.Binder for get and keySet.
func (*partView) BindCall(name string, nargs int) func(recv any, args []any) (any, error) {
	switch {
	case name == "get" && nargs == 1:
		return func(recv any, args []any) (any, error) { return recv.(*partView).get(args[0]), nil }
	case name == "keySet" && nargs == 0:
		return func(recv any, _ []any) (any, error) { return recv.(*partView).keys(), nil }
	}
	return nil
}

// get is get(k): the last value named k, null for other keys.
func (v *partView) get(k any) any {
	if k, ok := k.(string); ok {
		val, _ := v.Property(k)
		return val
	}
	return nil
}

func (v *partView) Call(name string, args []any) (any, error) {
	switch {
	case name == "get" && len(args) == 1:
		return v.get(args[0]), nil
	case name == "keySet" && len(args) == 0:
		return v.keys(), nil
	case name == "containsKey" && len(args) == 1:
		k, ok := args[0].(string)
		return ok && v.p.index(k, false) >= 0, nil
	case name == "size" && len(args) == 0:
		return int64(len(v.keys().Items)), nil
	case name == "isEmpty" && len(args) == 0:
		return len(*v.p) == 0, nil
	case name == "values" && len(args) == 0:
		return &vtl.List{Items: v.Items()}, nil
	case name == "entrySet" && len(args) == 0:
		keys := v.keys().Items
		l := &vtl.List{Items: make([]any, len(keys))}
		for i, k := range keys {
			val, _ := v.Property(k.(string))
			l.Items[i] = vtl.Entry{Key: k.(string), Value: val}
		}
		return l, nil
	case name == "toString" && len(args) == 0:
		return v.String(), nil
	}
	return nil, vtl.ErrNoMethod
}

// String prints the map Java-style: {a=1, b=2}.
func (v *partView) String() string { return javaString(singleMap(*v.p)) }
