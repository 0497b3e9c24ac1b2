// Package jsonpath compiles and evaluates JSONPath expressions the way
// API Gateway does with Jayway "JSONPath for Java" (vtl.md §2; used by
// $input.json, $input.path, method.request.body.X and
// integration.response.body.X mappings), over the vtl value model: parsed
// JSON is *vtl.Map, *vtl.List, string, int64, float64, bool or nil.
//
// It owns the JSON→vtl decoder (Decode), the compact JSON printer
// (AppendJSON) and Java's Double.toString formatting. It knows nothing of
// HTTP, templates or AWS resources, keeps no state between calls, and must
// not import anything above internal/vtl.
//
// Behaviour follows the Jayway engine AWS runs, checked differentially
// against the Debian build (2.0.0) with tools/jsonpathoracle:
//
//   - A definite path ($.a.b[0], $['a'], $['a','b']) yields one value;
//     an indefinite one (*, .., [?()], [1:3], [0,1]) yields a *vtl.List.
//   - A missing property, an index out of range, or a step applied to the
//     wrong kind of value makes the whole evaluation "no match", also
//     inside indefinite paths ($[*].a when one element lacks a). Deep scan
//     (..) only visits nodes where the next step applies.
//   - $['a','b'] yields a map of the listed keys that exist.
//   - Filters: ==, !=, <, <=, >, >=, =~ /re/i (whole-string match), &&,
//     ||, !, parentheses, existence [?(@.x)] (present and not null).
//     A number compares numerically with a number or a numeric string
//     literal (a non-numeric string literal makes the whole path no
//     match, as Jayway's NumberFormatException does); strings and
//     booleans compare by their text.
//
// One deliberate difference from 2.0.0: a negative index ([-1]) counts
// from the end (Jayway 2.1 and later), where 2.0.0 reports no match.
package jsonpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrPath is wrapped by every compile error.
var ErrPath = errors.New("invalid JSONPath")

type segKind uint8

const (
	segProp segKind = iota
	segIndex
	segSlice
	segWild
	segFilter
)

type seg struct {
	kind  segKind
	scan  bool // preceded by ".."
	names []string
	idx   []int
	from  int
	to    int
	hasF  bool
	hasT  bool
	expr  expr
}

// Path is a compiled JSONPath. It is immutable and safe for concurrent
// use.
type Path struct {
	src      string
	segs     []seg
	definite bool
}

// String returns the source the path was compiled from.
func (p *Path) String() string { return p.src }

// Definite reports whether the path yields a single value rather than a
// list (Jayway's isDefinite).
func (p *Path) Definite() bool { return p.definite }

// Root reports whether p is $ alone, whose value is the document.
func (p *Path) Root() bool { return len(p.segs) == 0 }

// MustCompile is Compile that panics; for tests and constants.
func MustCompile(src string) *Path {
	p, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return p
}

// Compile parses src. A path that starts with neither "$" nor "@" is read
// as "$." + src, like Jayway.
func Compile(src string) (*Path, error) {
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, fmt.Errorf("%w: empty path", ErrPath)
	}
	if s[0] != '$' && s[0] != '@' {
		s = "$." + s
	}
	c := compiler{s: s, i: 1}
	segs, err := c.segments(false)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrPath, src, err)
	}
	return &Path{src: src, segs: segs, definite: definite(segs)}, nil
}

func definite(segs []seg) bool {
	for i, s := range segs {
		if s.scan {
			return false
		}
		switch s.kind {
		case segWild, segSlice, segFilter:
			return false
		case segIndex:
			if len(s.idx) > 1 {
				return false
			}
		case segProp:
			if len(s.names) > 1 && i != len(segs)-1 {
				return false
			}
		}
	}
	return true
}

type compiler struct {
	s string
	i int
}

func (c *compiler) eof() bool { return c.i >= len(c.s) }

func (c *compiler) ws() {
	for c.i < len(c.s) && c.s[c.i] == ' ' {
		c.i++
	}
}

// segments parses steps until the end of input or, inFilter, until a
// character that cannot continue a path.
func (c *compiler) segments(inFilter bool) ([]seg, error) {
	var segs []seg
	for !c.eof() {
		ch := c.s[c.i]
		switch {
		case ch == '.':
			scan := false
			c.i++
			if !c.eof() && c.s[c.i] == '.' {
				scan = true
				c.i++
			}
			if c.eof() {
				return nil, errors.New("path ends with '.'")
			}
			switch c.s[c.i] {
			case '[':
				if !scan {
					return nil, errors.New("'.' followed by '['")
				}
				s, err := c.bracket()
				if err != nil {
					return nil, err
				}
				s.scan = true
				segs = append(segs, s)
			case '*':
				c.i++
				segs = append(segs, seg{kind: segWild, scan: scan})
			default:
				start := c.i
				for !c.eof() && !isNameStop(c.s[c.i], inFilter) {
					c.i++
				}
				if c.i == start {
					return nil, fmt.Errorf("empty property name at %d", start)
				}
				if !c.eof() && (c.s[c.i] == ' ' || c.s[c.i] == '(') && !inFilter {
					return nil, fmt.Errorf("unexpected %q in property name", c.s[c.i])
				}
				segs = append(segs, seg{kind: segProp, scan: scan, names: []string{c.s[start:c.i]}})
			}
		case ch == '[':
			s, err := c.bracket()
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		default:
			if inFilter {
				return segs, nil
			}
			return nil, fmt.Errorf("unexpected %q at %d", ch, c.i)
		}
	}
	return segs, nil
}

func isNameStop(ch byte, inFilter bool) bool {
	switch ch {
	case '.', '[':
		return true
	case ' ', '(':
		return true
	}
	if inFilter {
		switch ch {
		case ')', '=', '!', '<', '>', '&', '|', ',', ']', '\t':
			return true
		}
	}
	return false
}

func (c *compiler) bracket() (seg, error) {
	c.i++ // [
	c.ws()
	if c.eof() {
		return seg{}, errors.New("unterminated '['")
	}
	var s seg
	switch ch := c.s[c.i]; {
	case ch == '*':
		c.i++
		s = seg{kind: segWild}
	case ch == '\'':
		for {
			c.ws()
			name, err := c.quoted()
			if err != nil {
				return seg{}, err
			}
			s.names = append(s.names, name)
			c.ws()
			if !c.eof() && c.s[c.i] == ',' {
				c.i++
				continue
			}
			break
		}
		s.kind = segProp
	case ch == '?':
		c.i++
		if c.eof() || c.s[c.i] != '(' {
			return seg{}, errors.New("expected '(' after '?'")
		}
		c.i++
		e, err := c.orExpr()
		if err != nil {
			return seg{}, err
		}
		c.ws()
		if c.eof() || c.s[c.i] != ')' {
			return seg{}, errors.New("expected ')' closing filter")
		}
		c.i++
		s = seg{kind: segFilter, expr: e}
	case ch == '-' || ch == ':' || (ch >= '0' && ch <= '9'):
		var err error
		if s, err = c.indexes(); err != nil {
			return seg{}, err
		}
	default:
		return seg{}, fmt.Errorf("unexpected %q after '['", ch)
	}
	c.ws()
	if c.eof() || c.s[c.i] != ']' {
		return seg{}, errors.New("expected ']'")
	}
	c.i++
	return s, nil
}

func (c *compiler) quoted() (string, error) {
	if c.eof() || c.s[c.i] != '\'' {
		return "", errors.New("expected quoted name")
	}
	c.i++
	var b strings.Builder
	for !c.eof() {
		ch := c.s[c.i]
		switch ch {
		case '\\':
			if c.i+1 < len(c.s) {
				b.WriteByte(c.s[c.i+1])
				c.i += 2
				continue
			}
		case '\'':
			c.i++
			return b.String(), nil
		}
		b.WriteByte(ch)
		c.i++
	}
	return "", errors.New("unterminated quoted name")
}

func (c *compiler) int() (int, bool, error) {
	c.ws()
	start := c.i
	if !c.eof() && c.s[c.i] == '-' {
		c.i++
	}
	for !c.eof() && c.s[c.i] >= '0' && c.s[c.i] <= '9' {
		c.i++
	}
	if c.i == start {
		return 0, false, nil
	}
	n, err := strconv.Atoi(c.s[start:c.i])
	if err != nil {
		return 0, false, fmt.Errorf("bad index %q", c.s[start:c.i])
	}
	c.ws()
	return n, true, nil
}

func (c *compiler) indexes() (seg, error) {
	first, hasFirst, err := c.int()
	if err != nil {
		return seg{}, err
	}
	if !c.eof() && c.s[c.i] == ':' {
		c.i++
		to, hasTo, err := c.int()
		if err != nil {
			return seg{}, err
		}
		if !hasFirst && !hasTo {
			return seg{}, errors.New("empty slice")
		}
		if !c.eof() && c.s[c.i] == ':' { // a step is read and ignored, like Jayway 2.0
			c.i++
			if _, _, err := c.int(); err != nil {
				return seg{}, err
			}
		}
		return seg{kind: segSlice, from: first, hasF: hasFirst, to: to, hasT: hasTo}, nil
	}
	if !hasFirst {
		return seg{}, errors.New("expected index")
	}
	s := seg{kind: segIndex, idx: []int{first}}
	for !c.eof() && c.s[c.i] == ',' {
		c.i++
		n, ok, err := c.int()
		if err != nil {
			return seg{}, err
		}
		if !ok {
			return seg{}, errors.New("expected index after ','")
		}
		s.idx = append(s.idx, n)
	}
	return s, nil
}
