package vtl

import (
	"sync/atomic"
	"unsafe"
)

// ChainBinder is implemented by host objects that can resolve a whole
// reference rooted at them, every property and method after the
// variable, into one function: $input.params().header.get($h) becomes
// one call instead of three calls and a property, each looked up and
// checked on its own. A compiled reference asks the first receiver it
// meets and keeps the answer for every later receiver of the same
// dynamic type.
type ChainBinder interface {
	Object
	// BindChain returns a function doing what the chain of parts does
	// on any receiver of the implementing type, or nil. The function
	// gets the arguments of every method part, in order, and must give
	// what applying the parts one by one gives: the same value, or the
	// same error.
	BindChain(parts []ChainPart) func(recv any, args []any) (any, error)
}

// ChainPart is one part of a reference chain: a property, or a method
// and its number of arguments.
type ChainPart struct {
	Name   string
	Method bool
	NArgs  int
}

// chainArg is an argument of a chain: a literal, or a plain variable
// (neither can have side effects, so evaluating every argument before
// the chain is evaluating them as the chain goes).
type chainArg struct {
	lit  bool
	v    any
	slot int
}

// chainBinding is what a chain resolved for one receiver type.
type chainBinding struct {
	typ unsafe.Pointer
	fn  func(recv any, args []any) (any, error)
}

// compileChain compiles the reference e's first n parts, two or more, as one
// host call when the receiver binds the chain, falling back to generic
// (the part by part evaluation) for every other receiver; nil when e
// is not a chain a host can bind: an index part, or an argument other
// than a literal or a plain variable.
func compileChain(e *refExpr, n int, generic cexpr) cexpr {
	if n < 2 {
		return nil
	}
	parts := make([]ChainPart, n)
	var args []chainArg
	for i := range n {
		p := &e.parts[i]
		switch p.kind {
		case partProp:
			parts[i] = ChainPart{Name: p.name}
		case partMethod:
			parts[i] = ChainPart{Name: p.name, Method: true, NArgs: len(p.args)}
			for _, a := range p.args {
				switch x := a.(type) {
				case *litExpr:
					args = append(args, chainArg{lit: true, v: x.v})
				case *refExpr:
					if len(x.parts) != 0 {
						return nil
					}
					args = append(args, chainArg{slot: x.slot})
				default:
					return nil
				}
			}
		default:
			return nil
		}
	}
	slot, at := e.slot, e.parts[n-1].pos
	var bound atomic.Pointer[chainBinding]
	return func(r *renderer) (any, error) {
		v := r.lookup(slot)
		b := bound.Load()
		if b == nil || b.typ != typeWord(v) {
			b = bindChain(&bound, v, parts)
		}
		if b == nil || b.fn == nil {
			return generic(r)
		}
		base := len(r.args)
		for i := range args {
			a := &args[i]
			if a.lit {
				r.args = append(r.args, a.v)
				continue
			}
			x := r.lookup(a.slot)
			if _, ok := x.(*nullArg); ok {
				x = nil
			}
			r.args = append(r.args, x)
		}
		x, err := b.fn(v, r.args[base:])
		r.args = r.args[:base]
		if err == nil {
			err = r.checkSize(x)
		}
		if err != nil {
			return nil, r.fail(at, err)
		}
		return x, nil
	}
}

// bindChain resolves the binding of parts for v's type on first use:
// the first type seen wins, and gets a binding without a function when
// it does not bind the chain, so it is not asked again. nil when
// another type came first.
func bindChain(bound *atomic.Pointer[chainBinding], v any, parts []ChainPart) *chainBinding {
	if _, null := v.(*nullArg); null || v == nil || bound.Load() != nil {
		return nil
	}
	b := &chainBinding{typ: typeWord(v)}
	if cb, ok := v.(ChainBinder); ok {
		b.fn = cb.BindChain(parts)
	}
	if !bound.CompareAndSwap(nil, b) {
		return nil
	}
	return b
}
