package router

import "iter"

// Param is one path parameter: its name in the route template and its
// percent-decoded value.
type Param struct {
	Name  string
	Value string
}

// inlineParams is how many parameters Params holds without allocating.
const inlineParams = 8

// Params receives the path parameters of a match. The caller owns it and
// reuses it across requests (for example inside a pooled exchange); Match
// resets it. Up to eight parameters are stored inline; more spill into a
// slice that is kept for reuse. The zero value is ready to use.
type Params struct {
	n      int
	inline [inlineParams]Param
	spill  []Param
}

// Reset empties p, keeping its storage.
func (p *Params) Reset() {
	p.n = 0
	p.spill = p.spill[:0]
}

// Len returns the number of parameters.
func (p *Params) Len() int { return p.n }

// At returns the i-th parameter in path order; it panics if i is out of
// range.
func (p *Params) At(i int) Param {
	if i < 0 || i >= p.n {
		panic("router: Params index out of range")
	}
	if i < inlineParams {
		return p.inline[i]
	}
	return p.spill[i-inlineParams]
}

// Get returns the value of the parameter called name.
func (p *Params) Get(name string) (string, bool) {
	for i := 0; i < p.n; i++ {
		if q := p.ref(i); q.Name == name {
			return q.Value, true
		}
	}
	return "", false
}

// All yields the parameters as name, value pairs in path order.
func (p *Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i := 0; i < p.n; i++ {
			q := p.ref(i)
			if !yield(q.Name, q.Value) {
				return
			}
		}
	}
}

// Map returns the parameters as a new map, or nil when there are none
// (pathParameters is null or omitted in proxy events then). It allocates;
// use it only where a map is what the consumer needs.
func (p *Params) Map() map[string]string {
	if p.n == 0 {
		return nil
	}
	m := make(map[string]string, p.n)
	for i := 0; i < p.n; i++ {
		q := p.ref(i)
		m[q.Name] = q.Value
	}
	return m
}

func (p *Params) ref(i int) *Param {
	if i < inlineParams {
		return &p.inline[i]
	}
	return &p.spill[i-inlineParams]
}

// push appends a raw (still escaped) value; the name is set by finish.
func (p *Params) push(raw string) {
	if p.n < inlineParams {
		p.inline[p.n] = Param{Value: raw}
	} else {
		p.spill = append(p.spill[:p.n-inlineParams], Param{Value: raw})
	}
	p.n++
}

// truncate drops parameters pushed on a branch that failed.
func (p *Params) truncate(n int) {
	p.n = n
	if n >= inlineParams {
		p.spill = p.spill[:n-inlineParams]
	} else {
		p.spill = p.spill[:0]
	}
}

// finish names the pushed values and percent-decodes them.
func (p *Params) finish(names []string) {
	for i := 0; i < p.n; i++ {
		q := p.ref(i)
		if i < len(names) {
			q.Name = names[i]
		}
		q.Value = unescape(q.Value)
	}
}
