package vtl

import (
	"sync"
	"sync/atomic"
)

// Template is a parsed template. It is immutable after Parse and safe for
// concurrent Render calls.
type Template struct {
	src    string
	nodes  []node
	code   block    // the compiled form of nodes
	names  []string // variable name of each slot
	lines  []int    // offsets of line starts, for positions
	pool   sync.Pool
	reMu   sync.Map // pattern -> *javaRegex, for non-literal patterns
	reSize atomic.Int32
}

// Reserved variable slots.
const (
	slotForeach = iota
	slotVelocityCount
	slotVelocityHasNext
	numReservedSlots
)

type node interface {
	render(r *renderer) error
}

type expr interface {
	eval(r *renderer) (any, error)
}

type pos struct{ line, col int32 }

type textNode struct{ s string }

// refNode renders a reference in text; bs is the number of backslashes
// written before it.
type refNode struct {
	ref *refExpr
	bs  int
}

type setNode struct {
	pos
	target *refExpr
	val    expr
}

type ifNode struct {
	conds  []expr
	blocks [][]node
	els    []node
	hasEls bool
}

type foreachNode struct {
	pos
	slot int
	src  expr
	body []node
	// The compiled source (nil for ranges) and body.
	csrc cexpr
	code block
}

type defineNode struct {
	slot int
	body []node
}

type defineBlock struct {
	body []node
	pos
}

type macroDef struct {
	name   string
	params []int
	body   []node
}

type macroCallNode struct {
	pos
	name    string
	def     *macroDef
	args    []expr
	argSrc  []*nullArg // literal of each argument, shown when it is null
	literal string     // source text, rendered when no such macro exists
}

// nullArg stands for a macro argument that evaluated to null: inside the
// macro the parameter renders as the argument's source text.
type nullArg struct{ src string }

type breakNode struct{}
type stopNode struct{}

// Expression nodes.

type partKind uint8

const (
	partProp partKind = iota
	partMethod
	partIndex
)

type refPart struct {
	kind  partKind
	name  string
	id    mid
	args  []expr
	index expr
	re    *javaRegex // precompiled literal pattern argument
	bind  *bindCache // host binding of compiled references
	pos
}

type refExpr struct {
	pos
	slot  int
	name  string
	parts []refPart
	src   string
	quiet bool
}

type litExpr struct{ v any }

type interpExpr struct {
	nodes []node
}

type listExpr struct{ elems []expr }

type mapExpr struct{ keys, vals []expr }

type rangeExpr struct {
	pos
	from, to expr
}

type binOp uint8

const (
	opOr binOp = iota
	opAnd
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

type binExpr struct {
	pos
	op   binOp
	l, r expr
}

type notExpr struct{ x expr }

// newRenderer is used by the pool.
func (t *Template) getRenderer() *renderer {
	if r, ok := t.pool.Get().(*renderer); ok {
		return r
	}
	n := len(t.names)
	return &renderer{
		t:     t,
		slots: make([]slot, n),
	}
}

func (t *Template) putRenderer(r *renderer) {
	r.reset()
	t.pool.Put(r)
}

// reset drops what a render left in r, keeping its storage.
func (r *renderer) reset() {
	clear(r.slots)
	clear(r.args[:cap(r.args)])
	r.args = r.args[:0]
	r.out, r.root, r.cur = nil, nil, nil
	r.nbuf = 0
	for i, b := range r.bufs {
		if cap(b) > 64<<10 {
			r.bufs[i] = nil // do not keep huge buffers pooled
		}
	}
}

// A Renderer is the working storage of renders a caller runs one after
// another, such as the templates of one request: RenderWith reuses it
// rather than taking storage from the template's pool. The zero value
// is ready; a Renderer is not safe for concurrent use.
type Renderer struct{ r renderer }

// take readies rr's storage for a render of t.
func (rr *Renderer) take(t *Template) *renderer {
	r := &rr.r
	r.t = t
	if n := len(t.names); cap(r.slots) < n {
		r.slots = make([]slot, n)
	} else {
		r.slots = r.slots[:n]
	}
	return r
}
