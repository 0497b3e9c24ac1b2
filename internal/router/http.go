package router

import (
	"fmt"
	"strings"
)

// DefaultRoute is the route key of the catch-all route (integrations-v2.md
// §7.2, §9.2).
const DefaultRoute = "$default"

// HTTPBuilder collects the routes of one HTTP API deployment. It is not
// safe for concurrent use.
type HTTPBuilder[V any] struct {
	root  *node[V]
	def   entry[V]
	built bool
}

// NewHTTPBuilder returns an empty builder.
func NewHTTPBuilder[V any]() *HTTPBuilder[V] {
	return &HTTPBuilder[V]{root: &node[V]{template: "/"}}
}

// Add binds value to routeKey: "$default" or "{METHOD} {path}" with METHOD
// one of GET POST PUT PATCH DELETE HEAD OPTIONS ANY, path starting with
// "/", {var} parts, and a greedy {var+} only as the last part
// (integrations-v2.md §7.2). Routes differing only in variable names
// share a path; each keeps its own names.
func (b *HTTPBuilder[V]) Add(routeKey string, value V) error {
	if b.built {
		return ErrBuilt
	}
	if routeKey == DefaultRoute {
		if b.def.ok {
			return fmt.Errorf("router: route %s already added", routeKey)
		}
		b.def = entry[V]{ok: true, value: value, key: routeKey}
		return nil
	}
	method, path, ok := strings.Cut(routeKey, " ")
	mi := methodIndex(method)
	if !ok || mi < 0 {
		return fmt.Errorf("router: invalid route key %q: want $default or \"{METHOD} {path}\"", routeKey)
	}
	segs, names, err := parseTemplate(path)
	if err != nil {
		return fmt.Errorf("router: invalid route key %q: %w", routeKey, err)
	}
	n := b.root
	for _, s := range segs {
		n = n.child(s)
	}
	e := &n.methods[mi]
	if e.ok {
		return fmt.Errorf("router: route key %q conflicts with %q", routeKey, e.key)
	}
	*e = entry[V]{ok: true, value: value, key: routeKey, names: names}
	return nil
}

// Build freezes the routes and returns the table. The builder cannot be
// used afterwards.
func (b *HTTPBuilder[V]) Build() *HTTPTable[V] {
	b.built = true
	b.root.freeze()
	return &HTTPTable[V]{root: b.root, def: b.def}
}

// HTTPTable is the compiled route table of one HTTP API deployment. It is
// immutable and safe for concurrent use.
type HTTPTable[V any] struct {
	root *node[V]
	def  entry[V]
}

// Match selects the route for method and path (integrations-v2.md §7.3):
//  1. a full match, literal parts beating {var} at each position, the
//     request method beating ANY on the same path;
//  2. else a greedy {proxy+} route, the longest literal prefix first;
//  3. else $default.
//
// A path whose most specific route lacks the method falls back to less
// specific routes. path is the escaped request path below the stage,
// without the query string. ps receives the path parameters,
// percent-decoded (nil costs an allocation). ok is false when nothing
// matches (404 Not Found, §7.4).
func (t *HTTPTable[V]) Match(method, path string, ps *Params) (m Match[V], ok bool) {
	if ps == nil {
		ps = new(Params)
	}
	ps.Reset()
	if t == nil {
		return m, false
	}
	mi := requestIndex(method)
	n := find(t.root, path, 0, ps, modeFull, mi)
	if n == nil {
		ps.Reset()
		n = find(t.root, path, 0, ps, modeGreedy, mi)
	}
	if n == nil {
		ps.Reset()
		if !t.def.ok {
			return m, false
		}
		return Match[V]{Value: t.def.value, Template: t.def.key}, true
	}
	e := n.pick(mi)
	ps.finish(e.names)
	m = Match[V]{Value: e.value, Template: e.key, Method: methodNames[mANY]}
	if e != &n.methods[mANY] {
		m.Method = method
	}
	return m, true
}

// Route returns the value bound to routeKey exactly, for callers that
// already know the key (integration tests, execution traces).
func (t *HTTPTable[V]) Route(routeKey string) (V, bool) {
	var zero V
	if t == nil {
		return zero, false
	}
	if routeKey == DefaultRoute {
		return t.def.value, t.def.ok
	}
	method, path, ok := strings.Cut(routeKey, " ")
	mi := methodIndex(method)
	segs, _, err := parseTemplate(path)
	if !ok || mi < 0 || err != nil {
		return zero, false
	}
	n := t.root
	for _, s := range segs {
		switch s.kind {
		case segParam:
			n = n.param
		case segGreedy:
			n = n.greedy
		default:
			n = n.lookup(s.text)
		}
		if n == nil {
			return zero, false
		}
	}
	if e := n.methods[mi]; e.ok && e.key == routeKey {
		return e.value, true
	}
	return zero, false
}
