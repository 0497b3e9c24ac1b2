package vtl

import (
	"bytes"
	"errors"
	"math/big"
	"strconv"
)

// Options tune one render. The zero value is stock Velocity 1.7 with
// Portico's default limits.
type Options struct {
	// NullAsEmpty renders null references as the empty string, as API
	// Gateway does (vtl.md §1.2). Without it a null reference renders its
	// own source text ($x), as stock Velocity does.
	NullAsEmpty bool
	// MaxIterations bounds each #foreach (vtl.md §1.1: 1000). Zero means 1000.
	MaxIterations int
	// MaxTotalIterations bounds all #foreach iterations of one render,
	// so nested loops cannot run for long. Zero means 1,000,000.
	MaxTotalIterations int
	// MaxDepth bounds nested macro calls and #define blocks. Zero means 20
	// (Velocity's velocimacro.max.depth).
	MaxDepth int
	// MaxOutput bounds the bytes rendered and the length of strings the
	// template builds. Zero means 4 MiB.
	MaxOutput int
}

// Control flow signals; never returned to callers.
var (
	errBreak = errors.New("#break")
	errStop  = errors.New("#stop")
)

// loop is the $foreach object of one running #foreach.
type loop struct {
	index   int
	hasNext bool
	parent  *loop
}

// slot is one variable of a render: its value when #set (or a loop
// or macro argument) assigned it, how often it was assigned, and the
// root scope's value once looked up.
type slot struct {
	v, root     any
	count       uint32
	set, rootOK bool
}

type renderer struct {
	t *Template
	// out is the output: the destination's spare room, grown as
	// needed; start is where the output of the innermost string being
	// built (or of the render) starts.
	out   []byte
	start int
	root  Scope
	opt   Options
	slots []slot // the variables, by slot
	args  []any
	cur   *loop
	loops []*loop
	depth int
	total int
	bufs  [][]byte
	nbuf  int
	// ref renders with the node tree instead of its compiled form.
	ref bool
}

// Render writes the template's output for the root variables to w. On
// error, w holds the output rendered so far.
func (t *Template) Render(w *bytes.Buffer, root Scope, opt Options) error {
	return t.render(w, root, opt, false, nil)
}

// RenderWith is Render with the working storage of rr, which must not
// be in use by another render.
func (t *Template) RenderWith(w *bytes.Buffer, root Scope, opt Options, rr *Renderer) error {
	return t.render(w, root, opt, false, rr)
}

// RenderReference is Render with the node tree instead of the compiled
// form: the reference evaluator, for differential tests of the
// compiled form.
func (t *Template) RenderReference(w *bytes.Buffer, root Scope, opt Options) error {
	return t.render(w, root, opt, true, nil)
}

// render is Render with the node tree (ref) or the compiled form, with
// the storage of rr or, when it is nil, of the template's pool.
func (t *Template) render(w *bytes.Buffer, root Scope, opt Options, ref bool, rr *Renderer) error {
	if opt.MaxIterations <= 0 {
		opt.MaxIterations = 1000
	}
	if opt.MaxTotalIterations <= 0 {
		opt.MaxTotalIterations = 1_000_000
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = 20
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = 4 << 20
	}
	var r *renderer
	if rr != nil {
		r = rr.take(t)
	} else {
		r = t.getRenderer()
	}
	// The output is appended to w's spare room and handed to w at the
	// end, so writes do not go through w one by one.
	r.out, r.start, r.root, r.opt = w.AvailableBuffer(), 0, root, opt
	r.depth, r.total, r.ref = 0, 0, ref
	var err error
	if ref {
		err = r.renderNodes(t.nodes)
	} else {
		err = r.run(t.code)
	}
	w.Write(r.out)
	if rr != nil {
		r.reset()
	} else {
		t.putRenderer(r)
	}
	if err == errStop || err == errBreak {
		err = nil
	}
	return err
}

// RenderString renders to a new string; a convenience for tests and tools.
func (t *Template) RenderString(root Scope, opt Options) (string, error) {
	var b bytes.Buffer
	err := t.Render(&b, root, opt)
	return b.String(), err
}

func (r *renderer) renderNodes(nodes []node) error {
	for _, n := range nodes {
		if err := n.render(r); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) fail(p pos, err error) error {
	var re *RenderError
	if errors.As(err, &re) {
		return err
	}
	return &RenderError{Line: int(p.line), Col: int(p.col), Err: err}
}

func (r *renderer) checkOutput(p pos) error {
	if len(r.out)-r.start > r.opt.MaxOutput {
		return r.outputLimit(p)
	}
	return nil
}

// outputLimit is checkOutput's failure.
func (r *renderer) outputLimit(p pos) error { return r.fail(p, ErrOutputLimit) }

// maxCollection bounds the elements a list may grow to.
const maxCollection = 1 << 20

// checkSize fails a method result that grew past the limits (a string
// doubled in a loop, a list appended to itself).
func (r *renderer) checkSize(v any) error {
	switch x := v.(type) {
	case string:
		if len(x) > r.opt.MaxOutput {
			return ErrOutputLimit
		}
	case *List:
		if len(x.Items) > maxCollection {
			return ErrOutputLimit
		}
	}
	return nil
}

// lookup returns the value of a variable. It is small enough to be
// inlined: a variable assigned, or a root variable looked up once, is
// read from its slot.
func (r *renderer) lookup(slot int) any {
	if s := &r.slots[slot]; s.set {
		return s.v
	}
	return r.lookupUnset(slot)
}

// lookupUnset is lookup of a variable not held in its slot: a loop's
// count or hasNext, or a root variable, whose value is then held in
// the slot as if assigned (a root variable's value does not change
// during a render, Scope's contract).
func (r *renderer) lookupUnset(slot int) any {
	switch slot {
	case slotVelocityCount:
		if r.cur != nil {
			return int64(r.cur.index + 1)
		}
	case slotVelocityHasNext:
		if r.cur != nil {
			return r.cur.hasNext
		}
	}
	s := &r.slots[slot]
	if !s.rootOK {
		if r.root != nil {
			s.root, _ = r.root.Lookup(r.t.names[slot])
		}
		s.rootOK = true
	}
	if slot != slotVelocityCount && slot != slotVelocityHasNext && s.root != nil {
		s.v, s.set = s.root, true
	}
	return s.root
}

func (r *renderer) setVar(slot int, v any) {
	r.slots[slot].v = v
	r.slots[slot].set = true
	r.slots[slot].count++
}

func (n *textNode) render(r *renderer) error {
	r.out = append(r.out, n.s...)
	return nil
}

func (n *refNode) render(r *renderer) error {
	ref := n.ref
	var v any
	var err error
	if n.bs == 0 && len(ref.parts) > 0 && ref.parts[len(ref.parts)-1].kind == partMethod {
		var wrote bool
		if v, wrote, err = ref.evalWrite(r); wrote {
			return r.checkOutput(ref.pos)
		}
	} else {
		v, err = ref.eval(r)
	}
	if err != nil {
		return err
	}
	if n.bs > 0 {
		if v == nil {
			for range n.bs {
				r.out = append(r.out, '\\')
			}
			r.out = append(r.out, ref.src...)
			return nil
		}
		for range n.bs / 2 {
			r.out = append(r.out, '\\')
		}
		if n.bs%2 == 1 {
			r.out = append(r.out, ref.src...)
			return nil
		}
	}
	return r.emit(ref, v)
}

// emit renders the value v of ref, written without backslashes before it.
func (r *renderer) emit(ref *refExpr, v any) error {
	if v == nil {
		if ref.quiet || r.opt.NullAsEmpty {
			return nil
		}
		if len(ref.parts) == 0 {
			if na, ok := r.rawLookup(ref.slot).(*nullArg); ok {
				r.out = append(r.out, na.src...)
				return nil
			}
		}
		r.out = append(r.out, ref.src...)
		return nil
	}
	if err := r.writeValue(v, ref.pos); err != nil {
		return err
	}
	return r.checkOutput(ref.pos)
}

func (r *renderer) rawLookup(slot int) any {
	if r.slots[slot].set {
		return r.slots[slot].v
	}
	return nil
}

func (r *renderer) writeValue(v any, p pos) error {
	switch x := v.(type) {
	case string:
		r.out = append(r.out, x...)
	case int64:
		r.out = strconv.AppendInt(r.out, x, 10)
	case bool:
		if x {
			r.out = append(r.out, "true"...)
		} else {
			r.out = append(r.out, "false"...)
		}
	case *defineBlock:
		return r.renderDefine(x)
	default:
		r.out = appendValue(r.out, v, 0)
	}
	return nil
}

func (r *renderer) renderDefine(d *defineBlock) error {
	if r.depth >= r.opt.MaxDepth {
		return r.fail(d.pos, ErrDepthLimit)
	}
	r.depth++
	err := r.renderNodes(d.body)
	r.depth--
	if err == errBreak {
		err = nil
	}
	return err
}

// stringOf converts v to its Java string form; #define blocks are rendered.
func (r *renderer) stringOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case *defineBlock:
		saved, start := r.out, r.start
		r.out, r.start = r.getBuf(), 0
		err := r.renderDefine(x)
		s := string(r.out)
		r.putBuf(r.out)
		r.out, r.start = saved, start
		return s, err
	}
	return toString(v), nil
}

func (n *setNode) render(r *renderer) error {
	v, err := n.val.eval(r)
	if err != nil {
		return err
	}
	if v == nil {
		return nil // Velocity 1.7: assigning null leaves the target unchanged
	}
	t := n.target
	if len(t.parts) == 0 {
		r.setVar(t.slot, v)
		return nil
	}
	obj, err := t.evalParts(r, len(t.parts)-1)
	if err != nil {
		return err
	}
	if obj == nil {
		return nil
	}
	last := &t.parts[len(t.parts)-1]
	switch last.kind {
	case partProp:
		switch o := obj.(type) {
		case *Map:
			o.Put(last.name, v)
		case Setter:
			if err := o.SetProperty(last.name, v); err != nil {
				return r.fail(last.pos, err)
			}
		}
	case partIndex:
		k, err := last.index.eval(r)
		if err != nil {
			return err
		}
		switch o := obj.(type) {
		case *List:
			i, ok := k.(int64)
			if !ok {
				return nil
			}
			if o.ro {
				return r.fail(last.pos, throw("UnsupportedOperationException"))
			}
			if i < 0 {
				i += int64(len(o.Items))
			}
			if i < 0 || i >= int64(len(o.Items)) {
				return r.fail(last.pos, throw("IndexOutOfBoundsException: Index "+strconv.FormatInt(i, 10)+" out of bounds"))
			}
			o.Items[i] = v
		case *Map:
			if k != nil {
				o.Put(toString(k), v)
			}
		case Setter:
			if err := o.SetProperty(toString(k), v); err != nil {
				return r.fail(last.pos, err)
			}
		}
	}
	return nil
}

func (n *ifNode) render(r *renderer) error {
	for i, c := range n.conds {
		ok, err := truth(r, c)
		if err != nil {
			return err
		}
		if ok {
			return r.renderNodes(n.blocks[i])
		}
	}
	if n.hasEls {
		return r.renderNodes(n.els)
	}
	return nil
}

// truth is Velocity's condition value: references are true unless null
// or false; comparisons and logic give their result; other literals and
// arithmetic are false.
func truth(r *renderer, e expr) (bool, error) {
	switch x := e.(type) {
	case *refExpr:
		v, err := x.eval(r)
		return refTruth(v), err
	case *litExpr:
		b, _ := x.v.(bool)
		return b, nil
	case *notExpr:
		b, err := truth(r, x.x)
		return !b, err
	case *binExpr:
		if x.op <= opGe {
			v, err := x.eval(r)
			b, _ := v.(bool)
			return b, err
		}
		if _, err := x.eval(r); err != nil {
			return false, err
		}
		return false, nil
	default:
		_, err := e.eval(r)
		return false, err
	}
}

// refTruth is the truth of a reference's value: true unless null or false.
func refTruth(v any) bool {
	switch b := v.(type) {
	case nil:
		return false
	case bool:
		return b
	}
	return true
}

func (r *renderer) pushLoop() *loop {
	d := 0
	for l := r.cur; l != nil; l = l.parent {
		d++
	}
	for len(r.loops) <= d {
		r.loops = append(r.loops, &loop{})
	}
	l := r.loops[d]
	*l = loop{parent: r.cur}
	r.cur = l
	return l
}

// errConcurrentModification is Java's ConcurrentModificationException:
// a #foreach body changed the collection it iterates.
var errConcurrentModification = &methodError{"ConcurrentModificationException"}

func (n *foreachNode) render(r *renderer) error { return n.iterate(r, nil, false) }

// iterate renders the loop over the value of its source: v when
// evaluated, else the source is evaluated first.
func (n *foreachNode) iterate(r *renderer, v any, evaluated bool) error {
	var (
		list     *List  // list iteration (ArrayList iterator semantics)
		view     []any  // map values or a map view (LinkedHashMap iterator semantics)
		src      *Map   // the map behind view
		mod      uint32 // modification count at the start
		m        *Map
		from, to int64
		isRange  bool
		count    int
	)
	if re, ok := n.src.(*rangeExpr); ok {
		var err error
		from, to, err = re.bounds(r)
		if err != nil {
			return err
		}
		isRange = true
		if from <= to {
			count = int(min(to-from, 1<<40)) + 1
		} else {
			count = int(min(from-to, 1<<40)) + 1
		}
	} else {
		if !evaluated {
			var err error
			if n.csrc != nil && !r.ref {
				v, err = n.csrc(r)
			} else {
				v, err = n.src.eval(r)
			}
			if err != nil {
				return err
			}
		}
		switch c := v.(type) {
		case *List:
			if c.src != nil {
				view, src, mod, count = c.Items, c.src, c.srcMod, len(c.Items)
			} else {
				list, mod, count = c, c.mod, len(c.Items)
			}
		case *Map:
			m, src, mod, count = c, c, c.mod, c.Len()
		default:
			if it, ok := v.(Iterable); ok {
				view = it.Items()
				count = len(view)
			} else {
				return nil
			}
		}
	}
	if count == 0 {
		return nil
	}
	oldVar, oldSet := r.slots[n.slot].v, r.slots[n.slot].set
	oldFe, oldFeSet := r.slots[slotForeach].v, r.slots[slotForeach].set
	l := r.pushLoop()
	r.slots[slotForeach].v, r.slots[slotForeach].set = l, true
	var err error
	for i := 0; ; i++ {
		var item any
		switch {
		case isRange:
			if i >= count {
				goto done
			}
			if from <= to {
				item = from + int64(i)
			} else {
				item = from - int64(i)
			}
		case list != nil:
			if i == len(list.Items) {
				goto done
			}
			if list.mod != mod || i > len(list.Items) {
				err = r.fail(n.pos, errConcurrentModification)
				goto done
			}
			item = list.Items[i]
			count = len(list.Items)
		default:
			if i >= count {
				goto done
			}
			if src != nil && src.mod != mod {
				err = r.fail(n.pos, errConcurrentModification)
				goto done
			}
			if m != nil {
				item = m.vs[i]
			} else {
				item = view[i]
			}
		}
		if i >= r.opt.MaxIterations {
			err = r.fail(n.pos, ErrIterationLimit)
			break
		}
		r.total++
		if r.total > r.opt.MaxTotalIterations {
			err = r.fail(n.pos, ErrIterationLimit)
			break
		}
		if err = r.checkOutput(n.pos); err != nil {
			break
		}
		l.index, l.hasNext = i, i+1 < count
		if item == nil {
			r.slots[n.slot].v, r.slots[n.slot].set = nil, false
		} else {
			r.slots[n.slot].v, r.slots[n.slot].set = item, true
		}
		r.slots[slotForeach].v, r.slots[slotForeach].set = l, true
		if n.code != nil && !r.ref {
			err = r.run(n.code)
		} else {
			err = r.renderNodes(n.body)
		}
		if err != nil {
			if err == errBreak {
				err = nil
			}
			break
		}
	}
done:
	r.cur = l.parent
	r.slots[n.slot].v, r.slots[n.slot].set = oldVar, oldSet
	r.slots[slotForeach].v, r.slots[slotForeach].set = oldFe, oldFeSet
	return err
}

func (n *defineNode) render(r *renderer) error {
	r.setVar(n.slot, &defineBlock{body: n.body})
	return nil
}

func (breakNode) render(*renderer) error { return errBreak }
func (stopNode) render(*renderer) error  { return errStop }

func (n *macroCallNode) render(r *renderer) error {
	d := n.def
	if d == nil {
		r.out = append(r.out, n.literal...)
		return nil
	}
	if r.depth >= r.opt.MaxDepth {
		return r.fail(n.pos, ErrDepthLimit)
	}
	// Evaluate the arguments in the caller's scope, then bind them.
	base := len(r.args)
	for i, a := range n.args {
		if i >= len(d.params) {
			break
		}
		v, err := a.eval(r)
		if err != nil {
			r.args = r.args[:base]
			return err
		}
		if v == nil {
			v = n.argSrc[i]
		}
		r.args = append(r.args, v)
	}
	bound := len(r.args) - base
	type saved struct {
		v     any
		set   bool
		count uint32
	}
	var stack [8]saved
	old := stack[:0]
	for i := range bound {
		s := d.params[i]
		old = append(old, saved{r.slots[s].v, r.slots[s].set, 0})
	}
	for i := range bound {
		s := d.params[i]
		r.setVar(s, r.args[base+i])
		old[i].count = r.slots[s].count
	}
	r.args = r.args[:base]
	r.depth++
	err := r.renderNodes(d.body)
	r.depth--
	for i := range bound {
		s := d.params[i]
		if r.slots[s].count == old[i].count {
			r.slots[s].v, r.slots[s].set = old[i].v, old[i].set
		}
	}
	if err == errBreak {
		err = nil
	}
	if err == nil {
		err = r.checkOutput(n.pos)
	}
	return err
}

// Expressions.

func (e *litExpr) eval(*renderer) (any, error) { return e.v, nil }

// getBuf returns a scratch buffer for building a string; buffers are
// reused across renders and nest for strings built inside strings.
func (r *renderer) getBuf() []byte {
	if r.nbuf == len(r.bufs) {
		r.bufs = append(r.bufs, nil)
	}
	b := r.bufs[r.nbuf][:0]
	r.nbuf++
	return b
}

// putBuf gives back the buffer getBuf returned last, as it has grown.
func (r *renderer) putBuf(b []byte) {
	r.nbuf--
	r.bufs[r.nbuf] = b
}

func (e *interpExpr) eval(r *renderer) (any, error) {
	saved, start := r.out, r.start
	r.out, r.start = r.getBuf(), 0
	err := r.renderNodes(e.nodes)
	if err == errBreak {
		err = nil
	}
	s := string(r.out)
	r.putBuf(r.out)
	r.out, r.start = saved, start
	return s, err
}

func (e *listExpr) eval(r *renderer) (any, error) {
	l := &List{Items: make([]any, 0, len(e.elems))}
	for _, x := range e.elems {
		v, err := x.eval(r)
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, v)
	}
	return l, nil
}

func (e *mapExpr) eval(r *renderer) (any, error) {
	m := NewMap(len(e.keys))
	for i := range e.keys {
		k, err := e.keys[i].eval(r)
		if err != nil {
			return nil, err
		}
		v, err := e.vals[i].eval(r)
		if err != nil {
			return nil, err
		}
		ks, err := r.stringOf(k)
		if err != nil {
			return nil, err
		}
		m.Put(ks, v)
	}
	return m, nil
}

// maxRange bounds the size of a range used as a value.
const maxRange = 100_000

func (e *rangeExpr) bounds(r *renderer) (int64, int64, error) {
	a, err := e.from.eval(r)
	if err != nil {
		return 0, 0, err
	}
	b, err := e.to.eval(r)
	if err != nil {
		return 0, 0, err
	}
	from, ok1 := rangeInt(a)
	to, ok2 := rangeInt(b)
	if !ok1 || !ok2 {
		return 0, -1, nil // Velocity logs and yields null: no iterations
	}
	return from, to, nil
}

func rangeInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (e *rangeExpr) eval(r *renderer) (any, error) {
	a, err := e.from.eval(r)
	if err != nil {
		return nil, err
	}
	b, err := e.to.eval(r)
	if err != nil {
		return nil, err
	}
	from, ok1 := rangeInt(a)
	to, ok2 := rangeInt(b)
	if !ok1 || !ok2 {
		return nil, nil
	}
	n := to - from
	if n < 0 {
		n = -n
	}
	if n >= maxRange {
		return nil, r.fail(e.pos, ErrIterationLimit)
	}
	l := &List{Items: make([]any, 0, n+1)}
	for i := int64(0); i <= n; i++ {
		if from <= to {
			l.Items = append(l.Items, from+i)
		} else {
			l.Items = append(l.Items, from-i)
		}
	}
	return l, nil
}

func (e *notExpr) eval(r *renderer) (any, error) {
	b, err := truth(r, e.x)
	return !b, err
}

func (e *refExpr) eval(r *renderer) (any, error) {
	return e.evalParts(r, len(e.parts))
}

// evalParts evaluates the variable and its first n parts.
func (e *refExpr) evalParts(r *renderer, n int) (any, error) {
	v := r.lookup(e.slot)
	if _, ok := v.(*nullArg); ok {
		v = nil
	}
	for i := 0; i < n; i++ {
		if v == nil {
			return nil, nil
		}
		var err error
		if v, err = r.evalPart(v, &e.parts[i]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// evalPart applies one part to the non-null value v.
func (r *renderer) evalPart(v any, p *refPart) (any, error) {
	var err error
	switch p.kind {
	case partProp:
		v, err = r.property(v, p)
	case partMethod:
		if d, ok := v.(*defineBlock); ok {
			// A #define block only has toString().
			if p.id != mToString || len(p.args) != 0 {
				return nil, nil
			}
			return r.stringOf(d)
		}
		var base int
		if base, err = r.evalArgs(p); err != nil {
			return nil, err
		}
		v, err = r.call(v, p, r.args[base:])
		r.args = r.args[:base] // stale entries are cleared when the renderer is pooled
		if err == nil {
			err = r.checkSize(v)
		}
	case partIndex:
		var k any
		if k, err = p.index.eval(r); err != nil {
			return nil, err
		}
		v, err = r.index(v, k, p)
	}
	if err != nil {
		return nil, r.fail(p.pos, err)
	}
	return v, nil
}

// evalArgs pushes the values of p's arguments on r.args and returns
// where they start.
func (r *renderer) evalArgs(p *refPart) (int, error) { return r.pushArgs(p.args) }

// pushArgs pushes the values of args on r.args and returns where they
// start.
func (r *renderer) pushArgs(args []expr) (int, error) {
	base := len(r.args)
	for _, a := range args {
		av, err := a.eval(r)
		if err != nil {
			r.args = r.args[:base]
			return 0, err
		}
		if _, ok := av.(*nullArg); ok {
			av = nil
		}
		r.args = append(r.args, av)
	}
	return base, nil
}

// evalWrite evaluates a reference rendered in text whose last part is
// a method call. When the object is a CallWriter that writes the result
// itself, wrote is true; otherwise v is the reference's value.
func (e *refExpr) evalWrite(r *renderer) (v any, wrote bool, err error) {
	n := len(e.parts) - 1
	if v, err = e.evalParts(r, n); err != nil || v == nil {
		return nil, false, err
	}
	p := &e.parts[n]
	cw, ok := v.(CallWriter)
	if !ok {
		v, err = r.evalPart(v, p)
		return v, false, err
	}
	base, err := r.evalArgs(p)
	if err != nil {
		return nil, false, err
	}
	args := r.args[base:]
	if r.out, wrote, err = cw.AppendCall(r.out, p.name, args); err == nil && !wrote {
		v, err = r.call(v, p, args)
		if err == nil {
			err = r.checkSize(v)
		}
	}
	r.args = r.args[:base]
	if err != nil {
		return nil, false, r.fail(p.pos, err)
	}
	return v, wrote, nil
}

func (r *renderer) index(v, k any, p *refPart) (any, error) {
	switch o := v.(type) {
	case *List:
		i, ok := k.(int64)
		if !ok {
			return nil, nil
		}
		if i < 0 {
			i += int64(len(o.Items))
		}
		if i < 0 || i >= int64(len(o.Items)) {
			return nil, throw("IndexOutOfBoundsException: Index " + strconv.FormatInt(i, 10) + " out of bounds for length " + strconv.Itoa(len(o.Items)))
		}
		return o.Items[i], nil
	case *Map:
		ks, ok := k.(string)
		if !ok {
			return nil, nil
		}
		x, _ := o.Get(ks)
		return x, nil
	case Object:
		if k == nil {
			return nil, nil
		}
		x, _ := o.Property(toString(k))
		return x, nil
	}
	return nil, nil
}

func (e *binExpr) eval(r *renderer) (any, error) {
	switch e.op {
	case opOr, opAnd:
		a, err := truth(r, e.l)
		if err != nil {
			return nil, err
		}
		if e.op == opOr && a {
			return true, nil
		}
		if e.op == opAnd && !a {
			return false, nil
		}
		b, err := truth(r, e.r)
		return b, err
	}
	a, err := e.l.eval(r)
	if err != nil {
		return nil, err
	}
	b, err := e.r.eval(r)
	if err != nil {
		return nil, err
	}
	if _, ok := a.(*nullArg); ok {
		a = nil
	}
	if _, ok := b.(*nullArg); ok {
		b = nil
	}
	if d, ok := a.(*defineBlock); ok {
		if a, err = r.stringOf(d); err != nil {
			return nil, err
		}
	}
	if d, ok := b.(*defineBlock); ok {
		if b, err = r.stringOf(d); err != nil {
			return nil, err
		}
	}
	switch e.op {
	case opEq:
		return javaEq(a, b), nil
	case opNe:
		return !javaEq(a, b), nil
	case opLt, opLe, opGt, opGe:
		c, ok := numCompare(a, b)
		if !ok {
			return false, nil
		}
		switch e.op {
		case opLt:
			return c < 0, nil
		case opLe:
			return c <= 0, nil
		case opGt:
			return c > 0, nil
		}
		return c >= 0, nil
	case opAdd:
		_, as := a.(string)
		_, bs := b.(string)
		if as || bs {
			return r.concat(a, b, e)
		}
	}
	if a == nil || b == nil {
		return nil, nil
	}
	return arith(e.op, a, b), nil
}

func (r *renderer) concat(a, b any, e *binExpr) (any, error) {
	sa, sb := r.literalOf(a, e.l), r.literalOf(b, e.r)
	if len(sa)+len(sb) > r.opt.MaxOutput {
		return nil, r.fail(e.pos, ErrOutputLimit)
	}
	return sa + sb, nil
}

// literalOf is the string form of an operand of +; a null reference
// contributes its source text (Velocity 1.7), or nothing with NullAsEmpty.
func (r *renderer) literalOf(v any, x expr) string {
	if v != nil {
		return toString(v)
	}
	if r.opt.NullAsEmpty {
		return ""
	}
	if ref, ok := x.(*refExpr); ok {
		return ref.src
	}
	return "null"
}

// javaEq is Velocity's ==: numbers compare by value, values of one kind
// with equals(), anything else by toString().
func javaEq(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if c, ok := numCompare(a, b); ok {
		return c == 0
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	}
	return toString(a) == toString(b)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64, *big.Int:
		return true
	}
	return false
}

func numCompare(a, b any) (int, bool) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp3(x, y), true
		case float64:
			return cmpF(float64(x), y), true
		case *big.Int:
			return big.NewInt(x).Cmp(y), true
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpF(x, float64(y)), true
		case float64:
			return cmpF(x, y), true
		case *big.Int:
			f, _ := new(big.Float).SetInt(y).Float64()
			return cmpF(x, f), true
		}
	case *big.Int:
		switch y := b.(type) {
		case int64:
			return x.Cmp(big.NewInt(y)), true
		case float64:
			f, _ := new(big.Float).SetInt(x).Float64()
			return cmpF(f, y), true
		case *big.Int:
			return x.Cmp(y), true
		}
	}
	return 0, false
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
