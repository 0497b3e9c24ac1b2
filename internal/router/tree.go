package router

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Method indexes. ANY is last; a request method outside the list can only
// be served by ANY.
const (
	mGET = iota
	mPOST
	mPUT
	mDELETE
	mPATCH
	mHEAD
	mOPTIONS
	mANY
	numMethods
)

var methodNames = [numMethods]string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"}

// methodIndex returns the index of a route method (including ANY), or -1.
func methodIndex(m string) int {
	switch m {
	case "GET":
		return mGET
	case "POST":
		return mPOST
	case "PUT":
		return mPUT
	case "DELETE":
		return mDELETE
	case "PATCH":
		return mPATCH
	case "HEAD":
		return mHEAD
	case "OPTIONS":
		return mOPTIONS
	case "ANY":
		return mANY
	}
	return -1
}

// requestIndex returns the index of a request method; a request never
// selects the ANY slot directly, so "ANY" and unknown methods give -1.
func requestIndex(m string) int {
	if i := methodIndex(m); i != mANY {
		return i
	}
	return -1
}

type segKind uint8

const (
	segStatic segKind = iota
	segParam
	segGreedy
)

// tmplSeg is one part of a path template: a literal, {name} or {name+}.
type tmplSeg struct {
	kind segKind
	text string // the literal, or the variable name
}

// errGreedyNotLast is reported when a greedy variable has parts after it.
var errGreedyNotLast = errors.New("greedy path variable must be the last path part")

// parseTemplate splits a path template such as "/pets/{petId}" into parts.
// "/" has no parts. It also returns the variable names in order.
func parseTemplate(p string) ([]tmplSeg, []string, error) {
	if p == "" || p[0] != '/' {
		return nil, nil, fmt.Errorf("path %q must start with /", p)
	}
	if p == "/" {
		return nil, nil, nil
	}
	var segs []tmplSeg
	var names []string
	for part := range strings.SplitSeq(p[1:], "/") {
		if len(segs) > 0 && segs[len(segs)-1].kind == segGreedy {
			return nil, nil, errGreedyNotLast
		}
		s, err := parseSeg(part)
		if err != nil {
			return nil, nil, fmt.Errorf("path %q: %w", p, err)
		}
		if s.kind != segStatic {
			for _, n := range names {
				if n == s.text {
					return nil, nil, fmt.Errorf("path %q: duplicate path variable {%s}", p, n)
				}
			}
			names = append(names, s.text)
		}
		segs = append(segs, s)
	}
	return segs, names, nil
}

func parseSeg(part string) (tmplSeg, error) {
	if part == "" {
		return tmplSeg{}, errors.New("empty path part")
	}
	if part[0] == '{' && part[len(part)-1] == '}' && len(part) >= 2 {
		name, kind := part[1:len(part)-1], segParam
		if strings.HasSuffix(name, "+") {
			name, kind = name[:len(name)-1], segGreedy
		}
		if name == "" || strings.ContainsAny(name, "{}+") {
			return tmplSeg{}, fmt.Errorf("invalid path variable %q", part)
		}
		return tmplSeg{kind: kind, text: name}, nil
	}
	if strings.ContainsAny(part, "{}") {
		return tmplSeg{}, fmt.Errorf("invalid path part %q", part)
	}
	return tmplSeg{kind: segStatic, text: part}, nil
}

// entry is one method on a node.
type entry[V any] struct {
	ok    bool
	value V
	key   string   // REST: resource path; HTTP: route key
	names []string // variable names along the path, in order
}

// smallFanout is the number of literal children up to which a node keeps
// them in a slice scanned linearly instead of a map.
const smallFanout = 8

// node is one path level. Its depth is the number of segments before it,
// so a depth-first search visits each node at most once.
type node[V any] struct {
	static map[string]*node[V] // literal children while building; kept if large
	keys   []string            // literal children after build when small
	kids   []*node[V]
	param  *node[V] // {name}
	greedy *node[V] // {name+}; never has children

	name     string   // variable name on param and greedy nodes
	template string   // path template up to this node
	names    []string // variable names up to this node
	methods  [numMethods]entry[V]
}

// child returns the child for s, creating it if needed.
func (n *node[V]) child(s tmplSeg) *node[V] {
	var slot **node[V]
	switch s.kind {
	case segParam:
		slot = &n.param
	case segGreedy:
		slot = &n.greedy
	default:
		if c := n.static[s.text]; c != nil {
			return c
		}
		if n.static == nil {
			n.static = make(map[string]*node[V])
		}
		c := n.newChild(s)
		n.static[s.text] = c
		return c
	}
	if *slot == nil {
		*slot = n.newChild(s)
	}
	return *slot
}

func (n *node[V]) newChild(s tmplSeg) *node[V] {
	c := &node[V]{names: n.names}
	part := s.text
	switch s.kind {
	case segParam:
		c.name, part = s.text, "{"+s.text+"}"
		c.names = append(n.names[:len(n.names):len(n.names)], s.text)
	case segGreedy:
		c.name, part = s.text, "{"+s.text+"+}"
		c.names = append(n.names[:len(n.names):len(n.names)], s.text)
	}
	if n.template == "/" {
		c.template = "/" + part
	} else {
		c.template = n.template + "/" + part
	}
	return c
}

// freeze turns small literal maps into sorted slices, recursively.
func (n *node[V]) freeze() {
	if n == nil {
		return
	}
	for _, c := range n.static {
		c.freeze()
	}
	n.param.freeze()
	n.greedy.freeze()
	if len(n.static) <= smallFanout {
		n.keys, n.kids = nil, nil
		for k := range n.static {
			n.keys = append(n.keys, k)
		}
		sort.Strings(n.keys)
		for _, k := range n.keys {
			n.kids = append(n.kids, n.static[k])
		}
		n.static = nil
	}
}

func (n *node[V]) lookup(seg string) *node[V] {
	if n.static != nil {
		return n.static[seg]
	}
	for i, k := range n.keys {
		if k == seg {
			return n.kids[i]
		}
	}
	return nil
}

// allows reports whether the node serves request method index mi.
func (n *node[V]) allows(mi int) bool {
	return (mi >= 0 && n.methods[mi].ok) || n.methods[mANY].ok
}

// pick returns the entry for request method index mi: the explicit
// method, else ANY (§11.1: ANY matches every method not defined).
func (n *node[V]) pick(mi int) *entry[V] {
	if mi >= 0 && n.methods[mi].ok {
		return &n.methods[mi]
	}
	if n.methods[mANY].ok {
		return &n.methods[mANY]
	}
	return nil
}

// mode selects which nodes end a search.
type mode uint8

const (
	modeREST   mode = iota // any node at the end of the path; greedy nodes too
	modeFull               // HTTP pass 1: non-greedy nodes serving the method
	modeGreedy             // HTTP pass 2: greedy nodes serving the method
)

// find returns the node matching path[pos:] below n, pushing the raw
// values of the variables it passes onto ps. At each level it tries the
// literal child, then the {param} child, then the greedy child, and
// backtracks when a branch finds nothing.
func find[V any](n *node[V], path string, pos int, ps *Params, md mode, mi int) *node[V] {
	for pos < len(path) && path[pos] == '/' {
		pos++
	}
	if pos == len(path) {
		if md == modeREST || (md == modeFull && n.allows(mi)) {
			return n
		}
		return nil
	}
	end := strings.IndexByte(path[pos:], '/')
	if end < 0 {
		end = len(path)
	} else {
		end += pos
	}
	seg := path[pos:end]
	if c := n.lookup(unescape(seg)); c != nil {
		if r := find(c, path, end, ps, md, mi); r != nil {
			return r
		}
	}
	if n.param != nil {
		mark := ps.n
		ps.push(seg)
		if r := find(n.param, path, end, ps, md, mi); r != nil {
			return r
		}
		ps.truncate(mark)
	}
	if g := n.greedy; g != nil && (md == modeREST || (md == modeGreedy && g.allows(mi))) {
		ps.push(strings.TrimRight(path[pos:], "/"))
		return g
	}
	return nil
}

// unescape percent-decodes s as a URL path does ('+' stays '+'). Invalid
// escapes are kept as they are. It allocates only when s contains '%'.
func unescape(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
