package vtl

import (
	"sync/atomic"
	"unsafe"
)

// Binder is implemented by host objects whose properties and methods
// can be resolved by name once: a compiled reference asks the first
// receiver it meets for the function behind a name and calls it
// directly for every later receiver of the same dynamic type, sparing
// the lookup by name.
type Binder interface {
	Object
	// BindProperty returns a function doing what Property(name) does
	// on any receiver of the implementing type, or nil.
	BindProperty(name string) func(recv any) (any, bool)
	// BindCall returns a function doing what Call(name, args) does on
	// any receiver of the implementing type for nargs arguments, or nil.
	BindCall(name string, nargs int) func(recv any, args []any) (any, error)
}

// WriteBinder is implemented by CallWriters whose writing methods can
// be resolved by name once, as Binder resolves calls.
type WriteBinder interface {
	CallWriter
	// BindWrite returns a function doing what AppendCall(b, name,
	// args) does on any receiver of the implementing type for nargs
	// arguments, or nil when AppendCall never writes that call.
	BindWrite(name string, nargs int) func(recv any, b []byte, args []any) ([]byte, bool, error)
}

// binding is what one reference part resolved for one receiver type.
type binding struct {
	typ  unsafe.Pointer
	prop func(recv any) (any, bool)
	call func(recv any, args []any) (any, error)
	// write is the CallWriter's writing of a method rendered in text.
	write func(recv any, b []byte, args []any) ([]byte, bool, error)
}

// bindCache holds the binding of a reference part: the first receiver
// type seen wins, other types take the generic path.
type bindCache struct{ b atomic.Pointer[binding] }

// typeWord is the dynamic type of v.
func typeWord(v any) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[0]
}

// lookup returns the binding for v's type, resolving it on first use;
// nil when another type came first or c is nil (a part outside the
// compiled form). A type that is not a Binder gets a binding without
// functions, so it is not asked again.
func (c *bindCache) lookup(v any, p *refPart) *binding {
	if c != nil {
		if b := c.b.Load(); b != nil && b.typ == typeWord(v) {
			return b
		}
	}
	return c.resolve(v, p)
}

// resolve is lookup past its common case: nil when c is nil or bound
// to another type, else the binding for v's type, made on first use.
func (c *bindCache) resolve(v any, p *refPart) *binding {
	if c == nil || c.b.Load() != nil {
		return nil
	}
	b := &binding{typ: typeWord(v)}
	nargs := len(p.args)
	if bd, ok := v.(Binder); ok {
		if p.kind == partMethod {
			b.call = bd.BindCall(p.name, nargs)
		} else {
			b.prop = bd.BindProperty(p.name)
		}
	}
	if p.kind == partMethod {
		if wb, ok := v.(WriteBinder); ok {
			b.write = wb.BindWrite(p.name, nargs)
		} else if _, ok := v.(CallWriter); ok {
			name := p.name
			b.write = func(recv any, out []byte, args []any) ([]byte, bool, error) {
				return recv.(CallWriter).AppendCall(out, name, args)
			}
		}
	}
	if !c.b.CompareAndSwap(nil, b) {
		return nil
	}
	return b
}

// property is property(v, p) through the part's binding; ok is
// false when there is none.
func (c *bindCache) property(v any, p *refPart) (x any, ok bool) {
	if b := c.lookup(v, p); b != nil && b.prop != nil {
		x, _ = b.prop(v)
		return x, true
	}
	return nil, false
}
