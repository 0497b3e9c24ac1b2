package vtl

import (
	"errors"
	"unsafe"
)

// The compiled form of a template: Parse turns the node tree into Go
// closures once, so a render does not switch on node and part kinds,
// evaluates arguments without going through the expression interface,
// and takes the common cases (text, a string variable, a map property,
// a method whose result a host object writes itself) on direct paths.
// Every closure falls back to the tree's own render or eval for what it
// does not specialise, so the output and errors are the tree
// evaluator's, which stays the reference (RenderReference).

// cnode is a compiled node.
type cnode func(r *renderer) error

// cexpr is a compiled expression.
type cexpr func(r *renderer) (any, error)

// ccond is a compiled #if/#elseif condition (truth of an expression).
type ccond func(r *renderer) (bool, error)

// block is a compiled block: its steps in order.
type block []step

// step is one step of a block: a text written, then a node run. A text
// is kept in the step of the node after it, so a template's text
// between references costs no call of its own.
type step struct {
	t short  // a text of up to 16 bytes, when t.n > 0
	s string // a longer text
	f cnode  // nil after the block's last text
}

// compileNodes compiles a block.
func compileNodes(ns []node) block {
	out := make(block, 0, len(ns))
	var text *textNode // the text waiting for the next node's step
	flush := func(f cnode) {
		var st step
		if text != nil {
			if len(text.s) <= 16 {
				st.t = shortText(text.s)
			} else {
				st.s = text.s
			}
			text = nil
		}
		st.f = f
		out = append(out, st)
	}
	for _, n := range ns {
		if t, ok := n.(*textNode); ok {
			if text != nil {
				flush(nil)
			}
			text = t
			continue
		}
		flush(compileNode(n))
	}
	if text != nil {
		flush(nil)
	}
	return out
}

// short is a text of at most 16 bytes held in place, so writing it is
// one 16-byte store rather than a copy.
type short struct {
	b [16]byte
	n int
}

func shortText(s string) short {
	var t short
	t.n = copy(t.b[:], s)
	return t
}

// writeShort appends t; it is small enough to be inlined where texts
// are written.
func (r *renderer) writeShort(t *short) {
	if !r.storeShort(t) {
		r.appendShort(t)
	}
}

// storeShort appends t when the output has 16 bytes of spare room: all
// 16 are stored (the bytes past t's length are not output).
func (r *renderer) storeShort(t *short) bool {
	l := len(r.out)
	if cap(r.out)-l < 16 {
		return false
	}
	*(*[16]byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(r.out)), l)) = t.b
	r.out = r.out[:l+t.n]
	return true
}

// appendShort is writeShort without 16 bytes of spare room.
func (r *renderer) appendShort(t *short) {
	r.out = append(r.out, t.b[:t.n]...)
}

// run renders a compiled block.
func (r *renderer) run(code block) error {
	for i := range code {
		st := &code[i]
		if st.t.n != 0 {
			r.writeShort(&st.t)
		} else if st.s != "" {
			r.out = append(r.out, st.s...)
		}
		if st.f != nil {
			if err := st.f(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// compileNode compiles a node other than a text (compileNodes keeps
// texts in steps).
func compileNode(n node) cnode {
	switch x := n.(type) {
	case *refNode:
		return compileRefNode(x)
	case *ifNode:
		return compileIf(x)
	case *foreachNode:
		return compileForeach(x)
	case *setNode:
		if len(x.target.parts) == 0 {
			val, slot := compileExpr(x.val), x.target.slot
			return func(r *renderer) error {
				v, err := val(r)
				if err != nil || v == nil {
					return err // assigning null leaves the target unchanged
				}
				r.setVar(slot, v)
				return nil
			}
		}
	}
	return n.render
}

// compileForeach compiles a #foreach. A loop over a list of its own
// (not a view of a map) runs a loop of its own with fewer live values
// than the general one, which takes every other source.
func compileForeach(n *foreachNode) cnode {
	n.code = compileNodes(n.body)
	if _, isRange := n.src.(*rangeExpr); isRange {
		return n.render
	}
	n.csrc = compileExpr(n.src)
	src, code, slot, at := n.csrc, n.code, n.slot, n.pos
	return func(r *renderer) error {
		v, err := src(r)
		if err != nil {
			return err
		}
		list, ok := v.(*List)
		if !ok || list.src != nil {
			return n.iterate(r, v, true)
		}
		if len(list.Items) == 0 {
			return nil
		}
		mod := list.mod
		oldVar, oldSet := r.slots[slot].v, r.slots[slot].set
		oldFe, oldFeSet := r.slots[slotForeach].v, r.slots[slotForeach].set
		l := r.pushLoop()
		for i := 0; i != len(list.Items); i++ {
			if list.mod != mod || i > len(list.Items) {
				err = r.fail(at, errConcurrentModification)
				break
			}
			if i >= r.opt.MaxIterations {
				err = r.fail(at, ErrIterationLimit)
				break
			}
			if r.total++; r.total > r.opt.MaxTotalIterations {
				err = r.fail(at, ErrIterationLimit)
				break
			}
			if err = r.checkOutput(at); err != nil {
				break
			}
			item := list.Items[i]
			l.index, l.hasNext = i, i+1 < len(list.Items)
			r.slots[slot].v, r.slots[slot].set = item, item != nil
			r.slots[slotForeach].v, r.slots[slotForeach].set = l, true
			if err = r.run(code); err != nil {
				if err == errBreak {
					err = nil
				}
				break
			}
		}
		r.cur = l.parent
		r.slots[slot].v, r.slots[slot].set = oldVar, oldSet
		r.slots[slotForeach].v, r.slots[slotForeach].set = oldFe, oldFeSet
		return err
	}
}

func compileIf(n *ifNode) cnode {
	conds := make([]ccond, len(n.conds))
	blocks := make([]block, len(n.blocks))
	for i, c := range n.conds {
		conds[i] = compileCond(c)
		blocks[i] = compileNodes(n.blocks[i])
	}
	els, hasEls := compileNodes(n.els), n.hasEls
	if len(conds) == 1 && !hasEls {
		// #if without #elseif or #else, as around a separator.
		cond, block := conds[0], blocks[0]
		if len(n.blocks[0]) == 1 {
			if t, ok := n.blocks[0][0].(*textNode); ok {
				text := t.s
				if len(text) <= 16 {
					t := shortText(text)
					if slot, ok := hasNextRef(n.conds[0]); ok {
						// #if($foreach.hasNext),#end: the loop is
						// read without a call.
						return func(r *renderer) error {
							if l, ok := r.lookup(slot).(*loop); ok {
								if l.hasNext {
									r.writeShort(&t)
								}
								return nil
							}
							ok, err := cond(r)
							if ok && err == nil {
								r.writeShort(&t)
							}
							return err
						}
					}
					return func(r *renderer) error {
						ok, err := cond(r)
						if ok && err == nil {
							r.writeShort(&t)
						}
						return err
					}
				}
				return func(r *renderer) error {
					ok, err := cond(r)
					if ok && err == nil {
						r.out = append(r.out, text...)
					}
					return err
				}
			}
		}
		return func(r *renderer) error {
			ok, err := cond(r)
			if ok && err == nil {
				return r.run(block)
			}
			return err
		}
	}
	return func(r *renderer) error {
		for i, c := range conds {
			ok, err := c(r)
			if err != nil {
				return err
			}
			if ok {
				return r.run(blocks[i])
			}
		}
		if hasEls {
			return r.run(els)
		}
		return nil
	}
}

// hasNextRef reports whether e is $v.hasNext, as $foreach.hasNext is,
// and the slot of $v.
func hasNextRef(e expr) (slot int, ok bool) {
	x, ok := e.(*refExpr)
	if !ok || len(x.parts) != 1 || x.parts[0].kind != partProp || x.parts[0].id != mHasNext {
		return 0, false
	}
	return x.slot, true
}

// compileCond is truth over a compiled expression.
func compileCond(e expr) ccond {
	switch x := e.(type) {
	case *refExpr:
		if len(x.parts) == 1 && x.parts[0].kind == partProp {
			// $foreach.hasNext and other single properties.
			slot, p := x.slot, &x.parts[0]
			p.bind = new(bindCache)
			return func(r *renderer) (bool, error) {
				v := r.lookup(slot)
				if l, ok := v.(*loop); ok && p.id == mHasNext {
					return l.hasNext, nil
				}
				v, err := r.prop(v, p)
				return refTruth(v), err
			}
		}
		f := compileRef(x, len(x.parts))
		return func(r *renderer) (bool, error) {
			v, err := f(r)
			return refTruth(v), err
		}
	case *notExpr:
		f := compileCond(x.x)
		return func(r *renderer) (bool, error) {
			b, err := f(r)
			return !b, err
		}
	}
	return func(r *renderer) (bool, error) { return truth(r, e) }
}

func compileExpr(e expr) cexpr {
	switch x := e.(type) {
	case *litExpr:
		v := x.v
		return func(*renderer) (any, error) { return v, nil }
	case *refExpr:
		return compileRef(x, len(x.parts))
	}
	return e.eval
}

// compileRef compiles the variable of e and its first n parts, as
// evalParts evaluates them. The variable is looked up in the closure of
// the first part.
func compileRef(e *refExpr, n int) cexpr {
	slot := e.slot
	if n == 0 {
		return func(r *renderer) (any, error) {
			v := r.lookup(slot)
			if _, ok := v.(*nullArg); ok {
				return nil, nil
			}
			return v, nil
		}
	}
	var f cexpr
	p := &e.parts[0]
	p.bind = new(bindCache)
	switch p.kind {
	case partProp:
		// A *nullArg has no properties either, so it needs no test.
		f = func(r *renderer) (any, error) { return r.prop(r.lookup(slot), p) }
	case partMethod:
		args := compileArgs(p)
		f = func(r *renderer) (any, error) {
			v := r.lookup(slot)
			if _, ok := v.(*nullArg); ok || v == nil {
				return nil, nil
			}
			return r.callCompiled(v, p, args)
		}
	default:
		f = func(r *renderer) (any, error) {
			v := r.lookup(slot)
			if _, ok := v.(*nullArg); ok || v == nil {
				return nil, nil
			}
			return r.evalPart(v, p)
		}
	}
	for i := 1; i < n; i++ {
		f = compilePart(f, &e.parts[i])
	}
	if c := compileChain(e, n, f); c != nil {
		return c
	}
	return f
}

// prop is evalPart of a property part, null for a null v.
func (r *renderer) prop(v any, p *refPart) (any, error) {
	switch o := v.(type) {
	case nil:
		return nil, nil
	case *Map:
		x, _ := o.Get(p.name)
		return x, nil
	case *loop:
		if p.id == mHasNext {
			return o.hasNext, nil
		}
	}
	if x, ok := p.bind.property(v, p); ok {
		return x, nil
	}
	x, err := r.property(v, p)
	if err != nil {
		return nil, r.fail(p.pos, err)
	}
	return x, nil
}

// compilePart applies part p to the value of prev, as evalPart does.
func compilePart(prev cexpr, p *refPart) cexpr {
	p.bind = new(bindCache)
	switch p.kind {
	case partProp:
		return func(r *renderer) (any, error) {
			v, err := prev(r)
			if err != nil {
				return nil, err
			}
			return r.prop(v, p)
		}
	case partMethod:
		args := compileArgs(p)
		return func(r *renderer) (any, error) {
			v, err := prev(r)
			if err != nil || v == nil {
				return nil, err
			}
			return r.callCompiled(v, p, args)
		}
	}
	return func(r *renderer) (any, error) {
		v, err := prev(r)
		if err != nil || v == nil {
			return nil, err
		}
		return r.evalPart(v, p)
	}
}

// eval makes a compiled expression an expr, so compiled arguments are
// pushed like the tree's.
func (f cexpr) eval(r *renderer) (any, error) { return f(r) }

// cargs are the compiled arguments of a method part.
type cargs struct {
	fns []cexpr
	// consts holds the values of the arguments when every one is a
	// literal: they are passed as they are, shared by every render
	// (Object.Call does not modify its arguments).
	consts []any
}

// compileArgs compiles the arguments of p.
func compileArgs(p *refPart) *cargs {
	ca := new(cargs)
	if len(p.args) == 0 {
		return ca
	}
	ca.fns = make([]cexpr, len(p.args))
	ca.consts = make([]any, len(p.args))
	for i, a := range p.args {
		ca.fns[i] = compileExpr(a)
		if l, lit := a.(*litExpr); !lit {
			ca.consts = nil
		} else if ca.consts != nil {
			ca.consts[i] = l.v
		}
	}
	return ca
}

// evalCargs returns the values of compiled arguments: the constants, or
// the values pushed on r.args from base, which the caller truncates
// r.args to once the call is done.
func (r *renderer) evalCargs(ca *cargs) (args []any, base int, err error) {
	base = len(r.args)
	if ca.consts != nil || len(ca.fns) == 0 {
		return ca.consts, base, nil
	}
	for _, f := range ca.fns {
		v, err := f(r)
		if err != nil {
			r.args = r.args[:base]
			return nil, base, err
		}
		if _, ok := v.(*nullArg); ok {
			v = nil
		}
		r.args = append(r.args, v)
	}
	return r.args[base:], base, nil
}

// callCompiled is evalPart of a method part over compiled arguments.
func (r *renderer) callCompiled(v any, p *refPart, ca *cargs) (any, error) {
	b := p.bind.lookup(v, p)
	if b == nil || b.call == nil {
		return r.callUnbound(v, p, ca)
	}
	return r.callBound(v, p, b, ca)
}

// callBound is callCompiled through the binding b of v's type.
func (r *renderer) callBound(v any, p *refPart, b *binding, ca *cargs) (any, error) {
	a, base, err := r.evalCargs(ca)
	if err != nil {
		return nil, err
	}
	x, err := b.call(v, a)
	r.args = r.args[:base]
	if err == nil {
		err = r.checkSize(x)
	} else if errors.Is(err, ErrNoMethod) {
		return nil, nil
	}
	if err != nil {
		return nil, r.fail(p.pos, err)
	}
	return x, nil
}

// callUnbound is callCompiled for a receiver without a bound method.
func (r *renderer) callUnbound(v any, p *refPart, ca *cargs) (any, error) {
	if d, ok := v.(*defineBlock); ok {
		// A #define block only has toString().
		if p.id != mToString || len(p.args) != 0 {
			return nil, nil
		}
		return r.stringOf(d)
	}
	a, base, err := r.evalCargs(ca)
	if err != nil {
		return nil, err
	}
	x, err := r.call(v, p, a)
	r.args = r.args[:base]
	if err == nil {
		err = r.checkSize(x)
	}
	if err != nil {
		return nil, r.fail(p.pos, err)
	}
	return x, nil
}

// emitResult renders the value v of ref, or returns err: what a
// compiled reference in text does past its string case, which it writes
// itself.
func (r *renderer) emitResult(ref *refExpr, v any, err error) error {
	if err != nil {
		return err
	}
	return r.emit(ref, v)
}

// compileRefNode compiles a reference rendered in text, as
// refNode.render renders it.
func compileRefNode(n *refNode) cnode {
	ref := n.ref
	np := len(ref.parts)
	switch {
	case n.bs != 0:
		return n.render
	case np == 0:
		slot := ref.slot
		return func(r *renderer) error {
			if s, ok := r.lookup(slot).(string); ok {
				r.out = append(r.out, s...)
				return r.checkOutput(ref.pos)
			}
			return n.render(r)
		}
	case np == 1 && ref.parts[0].kind == partProp:
		// $item.name: a map's entry is read without a call.
		slot, p := ref.slot, &ref.parts[0]
		p.bind = new(bindCache)
		return func(r *renderer) error {
			v := r.lookup(slot)
			var err error
			if m, ok := v.(*Map); ok {
				v, _ = m.Get(p.name)
			} else {
				v, err = r.prop(v, p)
			}
			if s, ok := v.(string); ok && err == nil {
				r.out = append(r.out, s...)
				return r.checkOutput(ref.pos)
			}
			return r.emitResult(ref, v, err)
		}
	case ref.parts[np-1].kind != partMethod:
		f := compileRef(ref, np)
		return func(r *renderer) error {
			v, err := f(r)
			if s, ok := v.(string); ok && err == nil {
				r.out = append(r.out, s...)
				return r.checkOutput(ref.pos)
			}
			return r.emitResult(ref, v, err)
		}
	}
	var prefix cexpr
	if np > 1 {
		prefix = compileRef(ref, np-1)
	}
	slot := ref.slot
	p := &ref.parts[np-1]
	p.bind = new(bindCache)
	ca := compileArgs(p)
	return func(r *renderer) error {
		var v any
		var err error
		if prefix == nil {
			// $o.m(...): the variable is read without a call.
			if v = r.lookup(slot); v != nil {
				if _, ok := v.(*nullArg); ok {
					v = nil
				}
			}
		} else if v, err = prefix(r); err != nil {
			return err
		}
		if v == nil {
			return r.emit(ref, nil)
		}
		// A host object writing the result itself: through the part's
		// binding when v has the type bound first, else as a CallWriter.
		var cw CallWriter
		b := p.bind.lookup(v, p)
		if b == nil {
			cw, _ = v.(CallWriter)
		}
		if cw == nil && (b == nil || b.write == nil) {
			var x any
			if b != nil && b.call != nil {
				x, err = r.callBound(v, p, b, ca)
			} else {
				x, err = r.callUnbound(v, p, ca)
			}
			if s, ok := x.(string); ok && err == nil {
				r.out = append(r.out, s...)
				return r.checkOutput(ref.pos)
			}
			return r.emitResult(ref, x, err)
		}
		a, base, err := r.evalCargs(ca)
		if err != nil {
			return err
		}
		var (
			x     any
			wrote bool
		)
		if cw != nil {
			r.out, wrote, err = cw.AppendCall(r.out, p.name, a)
		} else {
			r.out, wrote, err = b.write(v, r.out, a)
		}
		if err == nil && !wrote {
			if x, err = r.call(v, p, a); err == nil {
				err = r.checkSize(x)
			}
		}
		r.args = r.args[:base]
		if err != nil {
			return r.fail(p.pos, err)
		}
		if wrote {
			return r.checkOutput(ref.pos)
		}
		return r.emit(ref, x)
	}
}
