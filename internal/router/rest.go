package router

import (
	"errors"
	"fmt"
	"slices"
)

// Status is the outcome of a REST match.
type Status uint8

const (
	// NotFound: no resource matches the path.
	NotFound Status = iota
	// NoMethod: a resource matches the path but defines neither the
	// request method nor ANY. Like NotFound it becomes
	// 403 MISSING_AUTHENTICATION_TOKEN (integrations-v1.md §11.2).
	NoMethod
	// Found: a resource and one of its methods match.
	Found
)

// String returns the status name for logs and traces.
func (s Status) String() string {
	switch s {
	case NoMethod:
		return "NoMethod"
	case Found:
		return "Found"
	}
	return "NotFound"
}

// Match is the result of a successful (or, for REST NoMethod, partial)
// lookup.
type Match[V any] struct {
	// Value is what was added for the matched method or route.
	Value V
	// Template is the REST resource path ("/pets/{petId}") or the HTTP
	// API route key ("GET /pets/{id}", "$default").
	Template string
	// Method is the method the route was defined with: the request
	// method, "ANY", or "" for $default and REST NoMethod.
	Method string
}

// ErrBuilt is returned by Add after Build.
var ErrBuilt = errors.New("router: builder already built")

// RESTBuilder collects the resources and methods of one REST API
// deployment. It is not safe for concurrent use.
type RESTBuilder[V any] struct {
	root  *node[V]
	built bool
}

// NewRESTBuilder returns a builder whose tree holds the root resource "/".
func NewRESTBuilder[V any]() *RESTBuilder[V] {
	return &RESTBuilder[V]{root: &node[V]{template: "/"}}
}

// Add declares the resource at resourcePath (such as "/", "/pets",
// "/pets/{petId}" or "/files/{proxy+}") and binds value to each of
// methods (GET POST PUT DELETE PATCH HEAD OPTIONS ANY). Ancestors are
// created as resources without methods, as every REST resource has a
// parent. methods may be empty to declare a resource only. It enforces the
// tree rules of integrations-v1.md §11.1 with AWS's messages.
func (b *RESTBuilder[V]) Add(resourcePath string, methods []string, value V) error {
	if b.built {
		return ErrBuilt
	}
	segs, _, err := parseTemplate(resourcePath)
	if errors.Is(err, errGreedyNotLast) {
		return greedyChildError(resourcePath)
	}
	if err != nil {
		return fmt.Errorf("router: add resource: %w", err)
	}
	idx := make([]int, len(methods))
	for i, m := range methods {
		if idx[i] = methodIndex(m); idx[i] < 0 {
			return fmt.Errorf("router: add resource %s: invalid method %q", resourcePath, m)
		}
	}
	n := b.root
	for _, s := range segs {
		switch s.kind {
		case segParam:
			if v := n.variable(); v != "" && v != "{"+s.text+"}" {
				return fmt.Errorf("A sibling (%s) of this resource already has a variable path part -- only one is allowed", v)
			}
		case segGreedy:
			if v := n.variable(); v != "" && v != "{"+s.text+"+}" {
				return fmt.Errorf("A sibling (%s) of this resource already has a variable path part -- only one is allowed", v)
			}
		}
		n = n.child(s)
	}
	for i, m := range methods {
		if n.methods[idx[i]].ok || slices.Contains(idx[:i], idx[i]) {
			return fmt.Errorf("router: add resource %s: method %s already added", n.template, m)
		}
	}
	for _, mi := range idx {
		n.methods[mi] = entry[V]{ok: true, value: value, key: n.template, names: n.names}
	}
	return nil
}

// variable returns the variable path part among n's children, or "".
func (n *node[V]) variable() string {
	switch {
	case n.param != nil:
		return "{" + n.param.name + "}"
	case n.greedy != nil:
		return "{" + n.greedy.name + "+}"
	}
	return ""
}

func greedyChildError(p string) error {
	// Find the greedy part to name it the way AWS does.
	for i := 1; i < len(p); i++ {
		if p[i] == '+' && i+1 < len(p) && p[i+1] == '}' {
			j := i
			for j > 0 && p[j] != '{' {
				j--
			}
			return fmt.Errorf("Cannot create a child of a resource with a greedy path variable: %s", p[j:i+2])
		}
	}
	return fmt.Errorf("router: add resource %s: %w", p, errGreedyNotLast)
}

// Build freezes the tree and returns the table. The builder cannot be
// used afterwards.
func (b *RESTBuilder[V]) Build() *RESTTable[V] {
	b.built = true
	b.root.freeze()
	return &RESTTable[V]{root: b.root}
}

// RESTTable is the compiled resource tree of one REST API deployment.
// It is immutable and safe for concurrent use.
type RESTTable[V any] struct {
	root *node[V]
}

// Match selects the resource for path and then the method (integrations-v1.md
// §11.1, §11.2). The resource is the most specific one matching the whole
// path: literal beats {param} beats {proxy+} at each level, backtracking
// when a branch dead-ends. On it, the request method beats ANY.
//
// path is the escaped request path below the stage, without the query
// string. ps receives the path parameters, percent-decoded; a greedy
// parameter gets the rest of the path without the leading slash. ps may
// be nil only if the caller accepts an allocation. On NoMethod, Template
// and ps describe the resource that matched; on NotFound ps is empty.
func (t *RESTTable[V]) Match(method, path string, ps *Params) (Match[V], Status) {
	if ps == nil {
		ps = new(Params)
	}
	ps.Reset()
	if t == nil || t.root == nil {
		return Match[V]{}, NotFound
	}
	n := find(t.root, path, 0, ps, modeREST, 0)
	if n == nil {
		ps.Reset()
		return Match[V]{}, NotFound
	}
	ps.finish(n.names)
	e := n.pick(requestIndex(method))
	if e == nil {
		return Match[V]{Template: n.template}, NoMethod
	}
	m := Match[V]{Value: e.value, Template: e.key, Method: methodNames[mANY]}
	if e != &n.methods[mANY] {
		m.Method = method
	}
	return m, Found
}
