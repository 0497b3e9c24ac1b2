package jsonpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/portico-dev/portico/internal/vtl"
)

// ErrSyntax is wrapped by every JSON decoding error.
var ErrSyntax = errors.New("invalid JSON")

// Decode parses one JSON text into the vtl value model: objects become
// *vtl.Map (key order kept, a repeated key keeps its first position and
// its last value, like java.util.LinkedHashMap), arrays *vtl.List, strings
// string, true/false bool, null nil. A number without fraction or exponent
// that fits in int64 becomes int64 (json-smart returns Integer/Long);
// every other number becomes float64 (Double).
func Decode(data []byte) (any, error) {
	return DecodeString(string(data))
}

// DecodeString is Decode over a string. Strings without escapes share the
// input's memory, so decoding costs one allocation per container.
func DecodeString(s string) (any, error) {
	v, _, err := DecodeCanonical(s)
	return v, err
}

// DecodeCanonical is DecodeString that also reports whether s is
// exactly AppendJSON's text for the value (compact, same escapes and
// number forms), so callers can reuse s instead of printing the value.
func DecodeCanonical(s string) (v any, canonical bool, err error) {
	var dec Decoder
	return dec.DecodeCanonical(s)
}

// Decoder decodes JSON like DecodeCanonical and keeps its scratch space
// between calls, so a pooled Decoder decodes without allocating beyond
// the decoded values themselves. A Decoder is not safe for concurrent use.
type Decoder struct {
	keys []string
	vals []any
}

// DecodeCanonical is the package-level DecodeCanonical using d's scratch
// space.
func (dec *Decoder) DecodeCanonical(s string) (v any, canonical bool, err error) {
	d := decoder{s: s, canonical: true, keys: dec.keys[:0], vals: dec.vals[:0]}
	d.presize()
	defer func() {
		clear(d.vals[:cap(d.vals)])
		dec.keys, dec.vals = d.keys[:0], d.vals[:0]
	}()
	d.ws()
	v, err = d.value(0)
	if err != nil {
		return nil, false, err
	}
	d.ws()
	if d.i != len(d.s) {
		return nil, false, d.errf("unexpected %q after top-level value", d.s[d.i])
	}
	return v, d.canonical && utf8.ValidString(s), nil
}

// maxDepth bounds nesting so hostile bodies cannot exhaust the stack.
const maxDepth = 1000

type decoder struct {
	s string
	i int
	// Slabs: containers and string headers are carved from chunks so a
	// small document costs a handful of allocations.
	maps  []vtl.Map
	lists []vtl.List
	items []any
	strs  []string
	// Entry slabs of small maps (keys and values side by side).
	mkeys []string
	mvals []any
	// Scratch stacks for the members of the containers being decoded,
	// so each container is allocated once at its exact size.
	keys []string
	vals []any
	// canonical stays true while the text is exactly what AppendJSON
	// would print for the decoded value.
	canonical bool
}

// presize carves the value slabs at once for documents of ordinary size:
// a document holds at most as many objects as '{', members as ':', lists
// as '[', list items as ',' plus '[', strings as half its quotes. The
// counts (fast byte scans) overestimate when those bytes sit inside
// strings, which only costs spare capacity.
func (d *decoder) presize() {
	if len(d.s) < 2 || len(d.s) > 64<<10 {
		return
	}
	if n := strings.Count(d.s, "{"); n > 0 {
		d.maps = make([]vtl.Map, 0, n)
		m := strings.Count(d.s, ":")
		d.mkeys, d.mvals = make([]string, 0, m), make([]any, 0, m)
	}
	if n := strings.Count(d.s, "["); n > 0 {
		d.lists = make([]vtl.List, 0, n)
		d.items = make([]any, 0, n+strings.Count(d.s, ","))
	}
	if n := strings.Count(d.s, `"`) / 2; n > 0 {
		d.strs = make([]string, 0, n)
	}
}

func (d *decoder) newMap(n int) *vtl.Map {
	if len(d.maps) == cap(d.maps) {
		d.maps = make([]vtl.Map, 0, min(max(2*cap(d.maps), 4), 64))
	}
	d.maps = d.maps[:len(d.maps)+1]
	m := &d.maps[len(d.maps)-1]
	if n > 16 {
		vtl.InitMap(m, make([]string, 0, n), make([]any, 0, n))
		return m
	}
	if cap(d.mkeys)-len(d.mkeys) < n {
		d.mkeys = make([]string, 0, 16)
		d.mvals = make([]any, 0, 16)
	}
	at := len(d.mkeys)
	vtl.InitMap(m, d.mkeys[at:at:at+n], d.mvals[at:at:at+n])
	d.mkeys, d.mvals = d.mkeys[:at+n], d.mvals[:at+n]
	return m
}

func (d *decoder) newList(n int) *vtl.List {
	if len(d.lists) == cap(d.lists) {
		d.lists = make([]vtl.List, 0, min(max(2*cap(d.lists), 2), 64))
	}
	var items []any
	if n <= 16 {
		if cap(d.items)-len(d.items) < n {
			d.items = make([]any, 0, 32)
		}
		items = d.items[len(d.items) : len(d.items) : len(d.items)+n]
		d.items = d.items[:len(d.items)+n]
	} else {
		items = make([]any, 0, n)
	}
	d.lists = append(d.lists, vtl.List{Items: items})
	return &d.lists[len(d.lists)-1]
}

func (d *decoder) boxStr(s string) any {
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, min(max(2*cap(d.strs), 8), 128))
	}
	d.strs = append(d.strs, s)
	return boxString(&d.strs[len(d.strs)-1])
}

func (d *decoder) errf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, d.i, fmt.Sprintf(format, args...))
}

func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.canonical = false
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, error) {
	if d.i >= len(d.s) {
		return nil, d.errf("unexpected end of input")
	}
	if depth > maxDepth {
		return nil, d.errf("nesting deeper than %d", maxDepth)
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return d.boxStr(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case d.lit("true"):
		return true, nil
	case d.lit("false"):
		return false, nil
	case d.lit("null"):
		return nil, nil
	default:
		return nil, d.errf("unexpected %q", c)
	}
}

func (d *decoder) lit(w string) bool {
	if len(d.s)-d.i >= len(w) && d.s[d.i:d.i+len(w)] == w {
		d.i += len(w)
		return true
	}
	return false
}

func (d *decoder) object(depth int) (any, error) {
	d.i++ // {
	base := len(d.keys)
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return d.newMap(0), nil
	}
	for {
		d.ws()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, d.errf("expected object key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, d.errf("expected ':' after object key")
		}
		d.i++
		d.ws()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		d.ws()
		if d.i >= len(d.s) {
			return nil, d.errf("unterminated object")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			keys, vals := d.keys[base:], d.vals[len(d.vals)-(len(d.keys)-base):]
			m := d.newMap(len(keys))
			for i, k := range keys {
				if _, dup := m.Get(k); dup {
					d.canonical = false // a repeated key keeps its first position
				}
				m.Put(k, vals[i])
			}
			clear(vals)
			d.vals = d.vals[:len(d.vals)-len(keys)]
			d.keys = d.keys[:base]
			return m, nil
		default:
			return nil, d.errf("expected ',' or '}' in object")
		}
	}
}

func (d *decoder) array(depth int) (any, error) {
	d.i++ // [
	base := len(d.vals)
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return d.newList(0), nil
	}
	for {
		d.ws()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
		d.ws()
		if d.i >= len(d.s) {
			return nil, d.errf("unterminated array")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			vals := d.vals[base:]
			l := d.newList(len(vals))
			l.Items = append(l.Items, vals...)
			clear(vals)
			d.vals = d.vals[:base]
			return l, nil
		default:
			return nil, d.errf("expected ',' or ']' in array")
		}
	}
}

func (d *decoder) str() (string, error) {
	start := d.i + 1 // after the opening quote
	// Find the closing quote with IndexByte, then check the run before it
	// for escapes and control characters in a tight loop.
	end := strings.IndexByte(d.s[start:], '"')
	if end < 0 {
		d.i = len(d.s)
		return "", d.errf("unterminated string")
	}
	run := d.s[start : start+end]
	for i := 0; i < len(run); i++ {
		if c := run[i]; c == '\\' {
			d.i = start + i
			return d.strSlow(start)
		} else if c < 0x20 {
			d.i = start + i
			return "", d.errf("control character in string")
		}
	}
	d.i = start + end + 1
	return run, nil
}

func (d *decoder) strSlow(start int) (string, error) {
	b := make([]byte, 0, d.i-start+16)
	b = append(b, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(b) {
				b = []byte(string([]rune(string(b))))
			}
			return string(b), nil
		case c < 0x20:
			return "", d.errf("control character in string")
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '"', '\\':
			b = append(b, e)
		case '/':
			d.canonical = false
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			hx := d.s[d.i:min(d.i+4, len(d.s))]
			r, ok := d.hex4()
			if !ok {
				return "", d.errf("bad \\u escape")
			}
			// AppendQuoted writes \u00xx (lower-case hex) for the control
			// characters without a short escape; any other \u is not how
			// Portico would print the string.
			if r >= 0x20 || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t' ||
				hx != string([]byte{'0', '0', hexDigits[r>>4], hexDigits[r&0xf]}) {
				d.canonical = false
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					var ok2 bool
					if r2, ok2 = d.hex4(); !ok2 {
						return "", d.errf("bad \\u escape")
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						continue
					}
					d.i = save
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", d.errf("bad escape \\%c", e)
		}
	}
	return "", d.errf("unterminated string")
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.s)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(d.s[d.i : d.i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}

func (d *decoder) number() (any, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	intStart := d.i
	if digits() == 0 {
		return nil, d.errf("bad number")
	}
	if d.s[intStart] == '0' && d.i-intStart > 1 {
		return nil, d.errf("leading zero in number")
	}
	integral := true
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		integral = false
		if digits() == 0 {
			return nil, d.errf("bad fraction")
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		integral = false
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, d.errf("bad exponent")
		}
	}
	lit := d.s[start:d.i]
	if integral {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			if lit == "-0" {
				d.canonical = false
			}
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, d.errf("bad number %q", lit)
	}
	if d.canonical {
		var buf [32]byte
		if string(AppendJSON(buf[:0], f)) != lit {
			d.canonical = false
		}
	}
	return f, nil
}
