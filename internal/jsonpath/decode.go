package jsonpath

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

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

// Decoder decodes JSON like DecodeCanonical into storage it keeps: the
// containers, string headers and numbers of the decoded values are
// carved from slabs, so decoding a document of ordinary size costs no
// allocation once the slabs have grown to fit it.
//
// Values a Decoder returns stay valid until its Reset. Reset ends their
// life: later decodes reuse their maps, lists and interface boxes, so a
// caller must drop every value of the earlier decodes first (a Request
// resets its Decoder when the request ends). The bytes of decoded
// strings are never reused, so a string taken out of a value stays
// valid after Reset. A Decoder is not safe for concurrent use.
type Decoder struct {
	// State of the running decode.
	s         string
	i         int
	err       error
	canonical bool // the text is exactly what AppendJSON prints
	// Scratch stacks for the members of the containers being decoded,
	// so each container is allocated once at its exact size.
	keys []string
	vals []any
	// Slabs: containers, entries and boxed scalars are carved from them.
	maps  []vtl.Map
	lists []vtl.List
	items []any
	mkeys []string
	mvals []any
	strs  []string
	nums  []int64
	flts  []float64
	// text holds the bytes of strings with escapes. It only grows: bytes
	// handed out are never written again, not even after Reset.
	text []byte
}

// Slab limits: chunks never grow past these, and Reset drops slabs that
// did so a pooled Decoder does not pin the storage of one huge document.
const (
	maxChunk     = 256
	maxItemChunk = 1024
)

// DecodeCanonical is the package-level DecodeCanonical using d's
// storage. The value stays valid until d.Reset.
func (d *Decoder) DecodeCanonical(s string) (v any, canonical bool, err error) {
	d.s, d.i, d.err, d.canonical = s, 0, nil, true
	if cap(d.maps)|cap(d.lists)|cap(d.strs) == 0 {
		d.presize()
	}
	d.ws()
	v = d.value(0)
	if d.err == nil {
		d.ws()
		if d.i != len(d.s) {
			d.errf("unexpected %q after top-level value", d.s[d.i])
		}
	}
	err = d.err
	d.s, d.err = "", nil
	if err != nil {
		clear(d.vals)
		d.keys, d.vals = d.keys[:0], d.vals[:0]
		return nil, false, err
	}
	return v, d.canonical && utf8.ValidString(s), nil
}

// maxCopy bounds the texts Copy carves from the decoder's storage.
const maxCopy = 1 << 10

// Copy returns b as a string that stays valid after Reset. Short texts
// are carved from the storage the decoder keeps for strings with
// escapes, so copying a request body to decode it does not cost an
// allocation of its own.
func (d *Decoder) Copy(b []byte) string {
	if len(b) == 0 || len(b) > maxCopy {
		return string(b)
	}
	if cap(d.text)-len(d.text) < len(b) {
		d.text = make([]byte, 0, max(min(2*cap(d.text), 4<<10), 256, 2*len(b)))
	}
	at := len(d.text)
	d.text = append(d.text, b...)
	return unsafe.String(unsafe.SliceData(d.text[at:]), len(b))
}

// Reset makes the storage of every value decoded so far available to
// later decodes; those values must no longer be used.
func (d *Decoder) Reset() {
	d.maps = reuse(d.maps, maxChunk)
	d.lists = reuse(d.lists, maxChunk)
	d.items = reuse(d.items, maxItemChunk)
	d.mkeys = reuse(d.mkeys, maxItemChunk)
	d.mvals = reuse(d.mvals, maxItemChunk)
	d.strs = reuse(d.strs, maxItemChunk)
	d.nums = reuse(d.nums, maxChunk)
	d.flts = reuse(d.flts, maxChunk)
	// The scratch stacks are not cleared as members are popped; clear
	// what they held once here, so they do not keep dropped values alive.
	if cap(d.vals) > maxItemChunk {
		d.keys, d.vals = nil, nil
	} else {
		clear(d.keys[:cap(d.keys)])
		clear(d.vals[:cap(d.vals)])
	}
}

func reuse[T any](s []T, limit int) []T {
	if cap(s) > limit {
		return nil
	}
	return s[:0]
}

// maxDepth bounds nesting so hostile bodies cannot exhaust the stack.
const maxDepth = 1000

// presize carves the first slabs of a fresh Decoder at once for
// documents of ordinary size: a document holds at most as many objects
// as '{', members as ':', lists as '[', list items as ',' plus '[',
// strings as half its quotes. The counts (fast byte scans) overestimate
// when those bytes sit inside strings, which only costs spare capacity.
func (d *Decoder) presize() {
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

func grow(c, limit int) int { return min(max(2*c, 8), limit) }

// newMap returns a map of the distinct keys and their values, copied
// into the entry slabs.
func (d *Decoder) newMap(keys []string, vals []any) *vtl.Map {
	if len(d.maps) == cap(d.maps) {
		d.maps = make([]vtl.Map, 0, grow(cap(d.maps), maxChunk))
	}
	d.maps = d.maps[:len(d.maps)+1]
	m := &d.maps[len(d.maps)-1]
	n := len(keys)
	if n > 16 {
		vtl.InitMapOf(m, append([]string(nil), keys...), append([]any(nil), vals...))
		return m
	}
	if cap(d.mkeys)-len(d.mkeys) < n || cap(d.mvals)-len(d.mvals) < n {
		c := max(grow(cap(d.mkeys), maxItemChunk), n)
		d.mkeys, d.mvals = make([]string, 0, c), make([]any, 0, c)
	}
	at := len(d.mkeys)
	mk, mv := d.mkeys[at:at+n:at+n], d.mvals[at:at+n:at+n]
	for i := range mk { // a loop beats a bulk copy for a handful of members
		mk[i], mv[i] = keys[i], vals[i]
	}
	d.mkeys, d.mvals = d.mkeys[:at+n], d.mvals[:at+n]
	vtl.InitMapOf(m, mk, mv)
	return m
}

// newList returns a list of items, copied into the item slab.
func (d *Decoder) newList(vals []any) *vtl.List {
	if len(d.lists) == cap(d.lists) {
		d.lists = make([]vtl.List, 0, grow(cap(d.lists), maxChunk))
	}
	n := len(vals)
	var items []any
	if n <= 16 {
		if cap(d.items)-len(d.items) < n {
			d.items = make([]any, 0, max(grow(cap(d.items), maxItemChunk), n))
		}
		at := len(d.items)
		items = d.items[at : at+n : at+n]
		for i := range items {
			items[i] = vals[i]
		}
		d.items = d.items[:at+n]
	} else {
		items = append([]any(nil), vals...)
	}
	d.lists = d.lists[:len(d.lists)+1]
	l := &d.lists[len(d.lists)-1]
	*l = vtl.List{Items: items}
	return l
}

func (d *Decoder) boxStr(s string) any {
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, grow(cap(d.strs), maxItemChunk))
	}
	d.strs = append(d.strs, s)
	return boxIn(&d.strs[len(d.strs)-1])
}

func (d *Decoder) boxInt(n int64) any {
	if uint64(n) < 256 {
		return n // the runtime boxes small integers without allocating
	}
	if len(d.nums) == cap(d.nums) {
		d.nums = make([]int64, 0, grow(cap(d.nums), maxChunk))
	}
	d.nums = append(d.nums, n)
	return boxIn(&d.nums[len(d.nums)-1])
}

func (d *Decoder) boxFloat(f float64) any {
	if len(d.flts) == cap(d.flts) {
		d.flts = make([]float64, 0, grow(cap(d.flts), maxChunk))
	}
	d.flts = append(d.flts, f)
	return boxIn(&d.flts[len(d.flts)-1])
}

// errf records the first error.
func (d *Decoder) errf(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w at offset %d: %s", ErrSyntax, d.i, fmt.Sprintf(format, args...))
	}
}

func (d *Decoder) ws() {
	if d.i < len(d.s) && d.s[d.i] > ' ' {
		return
	}
	d.wsSlow()
}

func (d *Decoder) wsSlow() {
	i := d.i
	for i < len(d.s) && d.s[i] <= ' ' && wsBits>>d.s[i]&1 != 0 {
		i++
	}
	if i != d.i {
		d.canonical = false
		d.i = i
	}
}

// load8 returns the eight bytes of s from i on as a little-endian word.
func load8(s string, i int) uint64 {
	w := s[i : i+8]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// wsBits has the bits of the JSON whitespace bytes set.
const wsBits = 1<<' ' | 1<<'\t' | 1<<'\n' | 1<<'\r'

func (d *Decoder) value(depth int) any {
	if d.i >= len(d.s) {
		d.errf("unexpected end of input")
		return nil
	}
	if depth > maxDepth {
		d.errf("nesting deeper than %d", maxDepth)
		return nil
	}
	switch c := d.s[d.i]; c {
	case '{':
		return d.object(depth)
	case '[':
		return d.array(depth)
	case '"':
		s, ok := d.str()
		if !ok {
			return nil
		}
		return d.boxStr(s)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return d.number()
	case 't':
		if d.lit("true") {
			return true
		}
	case 'f':
		if d.lit("false") {
			return false
		}
	case 'n':
		if d.lit("null") {
			return nil
		}
	}
	d.errf("unexpected %q", d.s[d.i])
	return nil
}

func (d *Decoder) lit(w string) bool {
	if len(d.s)-d.i >= len(w) && d.s[d.i:d.i+len(w)] == w {
		d.i += len(w)
		return true
	}
	return false
}

func (d *Decoder) object(depth int) any {
	d.i++ // {
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return d.newMap(nil, nil)
	}
	kbase, vbase := len(d.keys), len(d.vals)
	for {
		d.ws()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			d.errf("expected object key")
			return nil
		}
		k, ok := d.str()
		if !ok {
			return nil
		}
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			d.ws()
			if d.i >= len(d.s) || d.s[d.i] != ':' {
				d.errf("expected ':' after object key")
				return nil
			}
		}
		d.i++
		d.ws()
		var v any
		if d.i < len(d.s) && d.s[d.i] == '"' { // most members are strings
			s, ok := d.str()
			if !ok {
				return nil
			}
			v = d.boxStr(s)
		} else if v = d.value(depth + 1); d.err != nil {
			return nil
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		d.ws()
		if d.i >= len(d.s) {
			d.errf("unterminated object")
			return nil
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			keys, vals := d.keys[kbase:], d.vals[vbase:]
			var m *vtl.Map
			if hasDup(keys) {
				// A repeated key keeps its first position and its last
				// value, which is not how Portico would print the map.
				d.canonical = false
				m = d.newMap(nil, nil)
				for i, k := range keys {
					m.Put(k, vals[i])
				}
			} else {
				m = d.newMap(keys, vals)
			}
			d.keys, d.vals = d.keys[:kbase], d.vals[:vbase]
			return m
		default:
			d.errf("expected ',' or '}' in object")
			return nil
		}
	}
}

// hasDup reports whether keys repeat one.
func hasDup(keys []string) bool {
	if len(keys) <= 2 {
		return len(keys) == 2 && keys[0] == keys[1]
	}
	if len(keys) > 16 {
		seen := make(map[string]struct{}, len(keys))
		for _, k := range keys {
			if _, ok := seen[k]; ok {
				return true
			}
			seen[k] = struct{}{}
		}
		return false
	}
	// Keys are compared only when a cheap signature of their length and
	// first and last bytes collides with an earlier key's.
	var sigs uint64
	for i, k := range keys {
		var sig uint
		if len(k) > 0 {
			sig = uint(len(k)) + uint(k[0]) + uint(k[len(k)-1])*7
		}
		bit := uint64(1) << (sig & 63)
		if sigs&bit != 0 {
			for _, p := range keys[:i] {
				if p == k {
					return true
				}
			}
		}
		sigs |= bit
	}
	return false
}

func (d *Decoder) array(depth int) any {
	d.i++ // [
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return d.newList(nil)
	}
	base := len(d.vals)
	for {
		d.ws()
		var v any
		if d.i < len(d.s) && d.s[d.i] == '"' {
			s, ok := d.str()
			if !ok {
				return nil
			}
			v = d.boxStr(s)
		} else if v = d.value(depth + 1); d.err != nil {
			return nil
		}
		d.vals = append(d.vals, v)
		d.ws()
		if d.i >= len(d.s) {
			d.errf("unterminated array")
			return nil
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			vals := d.vals[base:]
			l := d.newList(vals)
			d.vals = d.vals[:base]
			return l
		default:
			d.errf("expected ',' or ']' in array")
			return nil
		}
	}
}

func (d *Decoder) str() (string, bool) {
	s := d.s
	start := d.i + 1 // after the opening quote
	i := start
	// Eight bytes at a time while they are there: most strings end in
	// the first word or two.
	for ; i+8 <= len(s); i += 8 {
		w := load8(s, i)
		if m := special8(w); m != 0 {
			tz := bits.TrailingZeros64(m)
			i += tz / 8
			if byte(w>>(tz&^7)) == '"' {
				d.i = i + 1
				return s[start:i], true
			}
			d.i = i
			return d.strSlow(start)
		}
	}
	i = d.plainEnd(i)
	if i < len(s) && s[i] == '"' {
		d.i = i + 1
		return s[start:i], true
	}
	d.i = i
	return d.strSlow(start)
}

// plainEnd returns the index of the first byte from i on that a string
// literal cannot hold as it is, or len(d.s).
func (d *Decoder) plainEnd(i int) int {
	// Eight bytes at a time while they are there: most strings end in
	// the first word.
	for ; i+8 <= len(d.s); i += 8 {
		if m := special8(load8(d.s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(d.s); i++ {
		if c := d.s[i]; c < 0x20 || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// special8 marks, in the high bit of each byte of x, the bytes a string
// literal cannot hold as they are: '"', '\\' and control characters.
// Marks above the lowest may be spurious (borrows), the lowest is exact.
func special8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((x-ones*0x20) & ^x | (q-ones) & ^q | (b-ones) & ^b) & highs
}

// strSlow decodes a string with escapes from start (after the quote);
// d.i is at the first backslash. The decoded bytes go to the text slab.
func (d *Decoder) strSlow(start int) (string, bool) {
	if cap(d.text)-len(d.text) < d.i-start+16 {
		// Start a new chunk, larger each time up to 4 KiB: the old one
		// stays with the strings cut from it.
		d.text = make([]byte, 0, max(min(2*cap(d.text), 4<<10), 256, 2*(d.i-start+16)))
	}
	at := len(d.text)
	b := d.text
	run := start // the plain bytes from run to d.i are still to be copied
	for {
		if d.i >= len(d.s) {
			d.errf("unterminated string")
			return "", false
		}
		c := d.s[d.i]
		b = append(b, d.s[run:d.i]...)
		if c == '"' {
			d.i++
			if !utf8.Valid(b[at:]) {
				b = append(b[:at], string([]rune(string(b[at:])))...)
			}
			d.text = b
			return unsafe.String(unsafe.SliceData(b[at:]), len(b)-at), true
		}
		if c != '\\' {
			d.errf("control character in string")
			return "", false
		}
		d.i++
		if d.i >= len(d.s) {
			d.errf("unterminated string")
			return "", false
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
				d.errf("bad \\u escape")
				return "", false
			}
			// AppendQuoted writes \u00xx (lower-case hex) for the control
			// characters without a short escape; any other \u is not how
			// Portico would print the string.
			if r >= 0x20 || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t' ||
				len(hx) != 4 || hx[0] != '0' || hx[1] != '0' || hx[2] != hexDigits[r>>4] || hx[3] != hexDigits[r&0xf] {
				d.canonical = false
			}
			if utf16.IsSurrogate(r) {
				// A surrogate pair is one character; a lone surrogate is
				// U+FFFD and the escape after it is read on its own.
				dec := utf8.RuneError
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					r2, ok2 := d.hex4()
					if !ok2 {
						d.errf("bad \\u escape")
						return "", false
					}
					if dec = utf16.DecodeRune(r, r2); dec == utf8.RuneError {
						d.i = save
					}
				}
				r = dec
			}
			b = utf8.AppendRune(b, r)
		default:
			d.errf("bad escape \\%c", e)
			return "", false
		}
		run = d.i
		d.i = d.plainEnd(d.i)
	}
}

func (d *Decoder) hex4() (rune, bool) {
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

func (d *Decoder) digits() int {
	n := 0
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

func (d *Decoder) number() any {
	start := d.i
	neg := d.s[d.i] == '-'
	if neg {
		d.i++
	}
	intStart := d.i
	// Integers of up to 18 digits are accumulated as they are scanned.
	var u uint64
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		u = u*10 + uint64(d.s[d.i]-'0')
		d.i++
	}
	nd := d.i - intStart
	if nd == 0 {
		d.errf("bad number")
		return nil
	}
	if d.s[intStart] == '0' && nd > 1 {
		d.errf("leading zero in number")
		return nil
	}
	integral := true
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		integral = false
		if d.digits() == 0 {
			d.errf("bad fraction")
			return nil
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		integral = false
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			d.errf("bad exponent")
			return nil
		}
	}
	lit := d.s[start:d.i]
	if integral {
		if nd <= 18 {
			if neg {
				if u == 0 {
					d.canonical = false // -0
				}
				return d.boxInt(-int64(u))
			}
			return d.boxInt(int64(u))
		}
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return d.boxInt(n)
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		d.errf("bad number %q", lit)
		return nil
	}
	if d.canonical {
		var buf [32]byte
		if math.IsInf(f, 0) || string(AppendJavaDouble(buf[:0], f)) != lit {
			d.canonical = false
		}
	}
	return d.boxFloat(f)
}
