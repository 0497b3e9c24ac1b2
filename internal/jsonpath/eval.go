package jsonpath

import "github.com/portico-dev/portico/internal/vtl"

// Get evaluates p over doc. For a definite path it returns the value and
// true, or nil and false when nothing matches. For an indefinite path it
// returns a *vtl.List (possibly empty) and true, or nil and false when the
// evaluation fails (see the package comment). Get allocates nothing for
// definite paths other than a multi-key map.
func (p *Path) Get(doc any) (any, bool) {
	if p.definite {
		cur := doc
		for i := range p.segs {
			s := &p.segs[i]
			switch s.kind {
			case segProp:
				m, ok := cur.(*vtl.Map)
				if !ok {
					return nil, false
				}
				if len(s.names) > 1 {
					return multiProp(m, s.names), true
				}
				if cur, ok = m.Get(s.names[0]); !ok {
					return nil, false
				}
			case segIndex:
				v, ok := index(cur, s.idx[0])
				if !ok {
					return nil, false
				}
				cur = v
			}
		}
		return cur, true
	}
	e := evaluator{root: doc, out: &vtl.List{}}
	if e.walk(p.segs, doc) != ok {
		return nil, false
	}
	return e.out, true
}

func multiProp(m *vtl.Map, names []string) *vtl.Map {
	out := vtl.NewMap(len(names))
	for _, n := range names {
		if v, ok := m.Get(n); ok {
			out.Put(n, v)
		}
	}
	return out
}

func index(cur any, i int) (any, bool) {
	l, ok := cur.(*vtl.List)
	if !ok {
		return nil, false
	}
	if i < 0 {
		i += len(l.Items)
	}
	if i < 0 || i >= len(l.Items) {
		return nil, false
	}
	return l.Items[i], true
}

type evaluator struct {
	root     any
	out      *vtl.List
	definite bool // the whole path is definite
}

// status is the outcome of one evaluation step: ok, notFound (Jayway's
// PathNotFoundException, which an array wildcard swallows per element)
// or failed (any other exception; ends the evaluation).
type status uint8

const (
	ok status = iota
	notFound
	failed
)

// walk applies segs to cur, appending results.
func (e *evaluator) walk(segs []seg, cur any) status {
	if len(segs) == 0 {
		e.out.Items = append(e.out.Items, cur)
		return ok
	}
	s := &segs[0]
	rest := segs[1:]
	if s.scan {
		return e.scan(s, rest, cur)
	}
	return e.step(s, rest, cur, false)
}

// step applies one step. In scan mode a step that does not apply is
// skipped instead of failing.
func (e *evaluator) step(s *seg, rest []seg, cur any, scanning bool) status {
	leaf := len(rest) == 0
	switch s.kind {
	case segProp:
		m, isMap := cur.(*vtl.Map)
		if !isMap {
			if scanning {
				return ok
			}
			return notFound
		}
		if len(s.names) > 1 {
			if leaf {
				return e.walk(rest, multiProp(m, s.names))
			}
			for _, n := range s.names {
				v, found := m.Get(n)
				if !found {
					return notFound
				}
				if st := e.walk(rest, v); st != ok {
					return st
				}
			}
			return ok
		}
		v, found := m.Get(s.names[0])
		if !found {
			switch {
			case scanning:
				return ok
			case leaf || e.definite:
				return notFound
			}
			return ok // missing inner property of an indefinite path
		}
		return e.walk(rest, v)
	case segIndex:
		if _, isList := cur.(*vtl.List); !isList {
			if scanning {
				return ok
			}
			if cur == nil {
				return notFound
			}
			return failed
		}
		for _, i := range s.idx {
			v, found := index(cur, i)
			if !found {
				if scanning {
					continue
				}
				return notFound
			}
			if st := e.walk(rest, v); st != ok {
				return st
			}
		}
		return ok
	case segSlice:
		l, isList := cur.(*vtl.List)
		if !isList {
			if scanning {
				return ok
			}
			if cur == nil {
				return notFound
			}
			return failed
		}
		n := len(l.Items)
		from, to := 0, n
		if s.hasF {
			from = s.from
			if from < 0 {
				from = max(0, n+from)
			}
		}
		if s.hasT {
			to = s.to
			if to < 0 {
				to = n + to
			}
		}
		to = min(to, n)
		for i := from; i < to; i++ {
			if st := e.walk(rest, l.Items[i]); st != ok {
				return st
			}
		}
		return ok
	case segWild:
		switch x := cur.(type) {
		case *vtl.Map:
			for _, k := range x.Keys() {
				v, _ := x.Get(k)
				if st := e.walk(rest, v); st != ok {
					return st
				}
			}
		case *vtl.List:
			for _, v := range x.Items {
				// Jayway's wildcard skips array elements whose
				// remaining path is not found.
				if st := e.walk(rest, v); st == failed {
					return st
				}
			}
		}
		return ok
	case segFilter:
		switch x := cur.(type) {
		case *vtl.List:
			if scanning {
				return ok
			}
			for _, v := range x.Items {
				match, err := s.expr.eval(v, e.root)
				if err != nil {
					return failed
				}
				if match {
					if st := e.walk(rest, v); st != ok {
						return st
					}
				}
			}
			return ok
		case *vtl.Map:
			match, err := s.expr.eval(x, e.root)
			if err != nil {
				return failed
			}
			if match {
				return e.walk(rest, x)
			}
			return ok
		}
		if scanning {
			return ok
		}
		return failed
	}
	return failed
}

// scan implements "..": apply the step where it applies to cur, then
// visit cur's children in document order.
func (e *evaluator) scan(s *seg, rest []seg, cur any) status {
	if st := e.step(s, rest, cur, true); st != ok {
		return st
	}
	switch x := cur.(type) {
	case *vtl.Map:
		for _, k := range x.Keys() {
			v, _ := x.Get(k)
			if st := e.scan(s, rest, v); st != ok {
				return st
			}
		}
	case *vtl.List:
		for _, v := range x.Items {
			if st := e.scan(s, rest, v); st != ok {
				return st
			}
		}
	}
	return ok
}
