package vtl

import (
	"errors"
	"sync/atomic"
)

// Values the evaluator works with. Templates see Java-like objects; in Go
// they are one of:
//
//	nil        Java null
//	string     java.lang.String
//	bool       java.lang.Boolean
//	int64      java.lang.Integer / Long (integer literals, JSON integers)
//	float64    java.lang.Double (decimal literals, JSON decimals)
//	*List      java.util.ArrayList (mutable, shared by reference)
//	*Map       java.util.LinkedHashMap with string keys (insertion order)
//	Object     a host object such as $input or $util
//
// Anything else is rendered with fmt's %v and has no methods.

// Object is a host object exposed to templates ($input, $util, $context
// parts). Implementations must be safe for the render that owns them; they
// are never shared between concurrent renders unless they are immutable.
type Object interface {
	// Property resolves $o.name. ok is false when the property does not
	// exist, which the template sees as null.
	Property(name string) (v any, ok bool)
	// Call invokes $o.name(args...). It returns ErrNoMethod when the
	// object has no such method; any other error aborts the render.
	// args is only valid during the call: the engine reuses it.
	Call(name string, args []any) (any, error)
}

// List is a mutable list value (Java ArrayList).
type List struct {
	Items []any
	ro    bool   // a keySet() view: mutators throw UnsupportedOperationException
	mod   uint32 // structural modifications, for ConcurrentModificationException
	src   *Map   // the map a keySet()/values()/entrySet() list views
	// srcMod is src's modification count when the view was made.
	srcMod uint32
}

// NewList returns a list holding items.
func NewList(items ...any) *List { return &List{Items: items} }

// Map is a mutable map with string keys that keeps insertion order
// (Java LinkedHashMap). Small maps are searched linearly, larger ones
// through an index.
type Map struct {
	keys []string
	vs   []any
	idx  map[string]int32 // built once the map outgrows smallMap
	// keySet caches the read-only list keySet() returns, so iterating
	// the keys of a map does not allocate on every render. It is safe
	// for maps shared read-only between renders.
	keySet atomic.Pointer[List]
	mod    uint32 // structural modifications
}

// smallMap is the size up to which a linear scan beats hashing.
const smallMap = 16

// NewMap returns an empty map with room for n entries.
func NewMap(n int) *Map {
	return &Map{keys: make([]string, 0, n), vs: make([]any, 0, n)}
}

// InitMap makes *m an empty map whose first entries fill the given
// backing arrays (their length is ignored, their capacity is the room),
// so a decoder can carve many small maps out of shared slabs. Entries
// beyond that room are appended to fresh arrays as usual. Whatever *m
// held before is dropped, so slabs of maps can be reused.
func InitMap(m *Map, keys []string, vals []any) {
	InitMapOf(m, keys[:0:cap(keys)], vals[:0:cap(vals)])
}

// InitMapOf makes *m the map of keys to vals (same length, keys
// distinct), in that order, keeping both slices as its storage: the
// caller must not use them afterwards except through *m. Whatever *m
// held before is dropped, so slabs of maps can be reused.
func InitMapOf(m *Map, keys []string, vals []any) {
	m.keys, m.vs, m.idx, m.mod = keys, vals, nil, 0
	if m.keySet.Load() != nil {
		m.keySet.Store(nil)
	}
	if len(keys) > smallMap {
		m.reindex()
	}
}

// Len reports the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

func (m *Map) find(k string) int {
	if m.idx != nil {
		if i, ok := m.idx[k]; ok {
			return int(i)
		}
		return -1
	}
	for i, key := range m.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Get returns the value for k.
func (m *Map) Get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if i := m.find(k); i >= 0 {
		return m.vs[i], true
	}
	return nil, false
}

// Put sets k to v, keeping the original position of an existing key, and
// returns the previous value (Java Map.put).
func (m *Map) Put(k string, v any) any {
	if i := m.find(k); i >= 0 {
		old := m.vs[i]
		m.vs[i] = v
		return old
	}
	m.keys = append(m.keys, k)
	m.vs = append(m.vs, v)
	if m.idx != nil {
		m.idx[k] = int32(len(m.keys) - 1)
	} else if len(m.keys) > smallMap {
		m.reindex()
	}
	if m.keySet.Load() != nil {
		m.keySet.Store(nil)
	}
	m.mod++
	return nil
}

func (m *Map) reindex() {
	m.idx = make(map[string]int32, len(m.keys))
	for i, k := range m.keys {
		m.idx[k] = int32(i)
	}
}

// Remove deletes k and returns its value (Java Map.remove).
func (m *Map) Remove(k string) any {
	i := m.find(k)
	if i < 0 {
		return nil
	}
	old := m.vs[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vs = append(m.vs[:i], m.vs[i+1:]...)
	if m.idx != nil {
		m.reindex()
	}
	m.keySet.Store(nil)
	m.mod++
	return old
}

func (m *Map) clear() {
	m.keys, m.vs, m.idx = m.keys[:0], m.vs[:0], nil
	m.keySet.Store(nil)
	m.mod++
}

// Keys returns the keys in insertion order. The caller must not modify it.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return m.keys
}

// ErrNoMethod is returned by Object.Call when the object has no method of
// that name (or none taking those arguments). The template then sees null,
// as Velocity does for an unresolvable method.
var ErrNoMethod = errors.New("vtl: no such method")

// CallWriter is implemented by host objects with methods whose string
// results can be written straight into the output when a reference
// ending in the call is rendered in text, such as
// $util.escapeJavaScript($x), sparing the string in between.
type CallWriter interface {
	Object
	// AppendCall appends the string $o.name(args...) would return to b
	// and returns it with true, or returns b unchanged with false to
	// leave the call to Call (a result that is not a string, null or an
	// unknown method). args is only valid during the call.
	AppendCall(b []byte, name string, args []any) ([]byte, bool, error)
}

// Iterable is implemented by host objects that #foreach can iterate.
// The engine does not modify the returned slice.
type Iterable interface {
	Items() []any
}

// Setter is implemented by host objects that accept
// #set($o.name = value), such as $context.responseOverride.
type Setter interface {
	SetProperty(name string, v any) error
}

// Scope provides the root variables of one render ($input, $util, ...).
// Variables assigned with #set live in a per-render scope kept by the
// engine and shadow the root ones. The engine looks each name up at most
// once per render and reuses the value, so Lookup must give the same
// value for a name throughout a render.
type Scope interface {
	Lookup(name string) (v any, ok bool)
}

// MapScope is a Scope backed by a Go map; handy for tests and tools.
type MapScope map[string]any

// Lookup returns the value stored under name.
func (m MapScope) Lookup(name string) (any, bool) {
	v, ok := m[name]
	return v, ok
}

// Entry is one element of $map.entrySet() (java.util.Map.Entry): it has
// the properties key and value and prints as key=value.
type Entry struct {
	Key   string
	Value any
}
