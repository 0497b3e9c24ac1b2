package cache

import (
	"cmp"
	"encoding/binary"
	"errors"
	"net/textproto"
	"slices"
	"strings"
)

// Request is the part of a request a KeyBuilder reads. Each method
// returns "" for an absent value, so an absent and an empty value share
// an entry. For a repeated query parameter or header, return the value
// the method request parameter maps to.
type Request interface {
	// Method is the request's HTTP method (used for ANY methods only).
	Method() string
	// Header returns a request header; name is in canonical form
	// (textproto.CanonicalMIMEHeaderKey), so an http.Header can be read
	// with a plain map lookup.
	Header(name string) string
	// Query returns a query string parameter (decoded).
	Query(name string) string
	// Path returns a matched path parameter (decoded).
	Path(name string) string
}

// ParamSource is where a cache key parameter is read from.
type ParamSource uint8

// Parameter sources, from method.request.{querystring|header|path}.NAME.
const (
	FromQuery ParamSource = iota + 1
	FromHeader
	FromPath
)

// Param is one parsed entry of cacheKeyParameters.
type Param struct {
	Source ParamSource
	Name   string // canonical form for headers
}

// ParseParam parses one cacheKeyParameters entry:
// method.request.querystring.NAME, method.request.header.NAME or
// method.request.path.NAME (integrations-v1.md §12).
func ParseParam(s string) (Param, error) {
	const prefix = "method.request."
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return Param{}, errors.New("cache key parameter " + quote(s) + " must start with method.request.")
	}
	where, name, ok := strings.Cut(rest, ".")
	if !ok || name == "" {
		return Param{}, errors.New("cache key parameter " + quote(s) + " has no name")
	}
	switch where {
	case "querystring":
		return Param{FromQuery, name}, nil
	case "header":
		return Param{FromHeader, textproto.CanonicalMIMEHeaderKey(name)}, nil
	case "path":
		return Param{FromPath, name}, nil
	}
	return Param{}, errors.New("cache key parameter " + quote(s) + " must be a querystring, header or path parameter")
}

func quote(s string) string { return "'" + s + "'" }

// KeyConfig is what a method's cache key is compiled from.
type KeyConfig struct {
	// Stage names the stage. Callers sharing one Cache between APIs put
	// the API id in it too ("apiId/stage").
	Stage string
	// Namespace is the integration's cacheNamespace; AWS defaults it to
	// the resource id. Methods with the same namespace share entries.
	Namespace string
	// Method is the method's HTTP method; for ANY the request's method
	// becomes part of the key [inferred, integrations-v1.md §12].
	Method string
	// Parameters is the integration's cacheKeyParameters. Order and
	// duplicates do not matter; parameters not listed do not
	// differentiate entries.
	Parameters []string
}

// KeyBuilder builds the cache key of each request to one method. It is
// compiled once per method at deploy time and is safe for concurrent
// use.
type KeyBuilder struct {
	prefix []byte // stage and namespace, length-prefixed
	any    bool
	params []keyParam
	size   int // prefix plus param tags: the bytes every key has
}

type keyParam struct {
	Param
	tag []byte // source byte and length-prefixed name
}

// NewKeyBuilder compiles c. It fails if a parameter is not a method
// request parameter reference.
func NewKeyBuilder(c KeyConfig) (*KeyBuilder, error) {
	b := &KeyBuilder{any: c.Method == "ANY"}
	b.prefix = appendField(b.prefix, c.Stage)
	b.prefix = appendField(b.prefix, c.Namespace)
	ps := make([]Param, 0, len(c.Parameters))
	for _, s := range c.Parameters {
		p, err := ParseParam(s)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b Param) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), strings.Compare(a.Name, b.Name))
	})
	ps = slices.Compact(ps)
	b.size = len(b.prefix) + 1
	for _, p := range ps {
		tag := appendField([]byte{byte(p.Source)}, p.Name)
		b.params = append(b.params, keyParam{p, tag})
		b.size += len(tag) + 2
	}
	return b, nil
}

// Params returns the parsed, sorted, de-duplicated key parameters.
func (b *KeyBuilder) Params() []Param {
	out := make([]Param, len(b.params))
	for i, p := range b.params {
		out[i] = p.Param
	}
	return out
}

// Build returns r's cache key. It allocates the key's string only.
func (b *KeyBuilder) Build(r Request) Key {
	var buf [256]byte
	dst := buf[:0]
	if b.size > len(buf) {
		dst = make([]byte, 0, b.size+64)
	}
	return Key{string(b.Append(dst, r))}
}

// Append appends r's cache key bytes to dst. The encoding is injective:
// every field is length-prefixed, so distinct inputs never collide.
func (b *KeyBuilder) Append(dst []byte, r Request) []byte {
	dst = append(dst, b.prefix...)
	if b.any {
		dst = append(dst, 'M')
		dst = appendField(dst, r.Method())
	} else {
		dst = append(dst, '-')
	}
	for i := range b.params {
		p := &b.params[i]
		dst = append(dst, p.tag...)
		var v string
		switch p.Source {
		case FromQuery:
			v = r.Query(p.Name)
		case FromHeader:
			v = r.Header(p.Name)
		case FromPath:
			v = r.Path(p.Name)
		}
		dst = appendField(dst, v)
	}
	return dst
}

func appendField(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
