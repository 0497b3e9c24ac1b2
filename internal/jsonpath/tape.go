package jsonpath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/portico-dev/portico/internal/vtl"
)

// Parsing runs in two phases. Parse reads the whole text once: it
// validates it, unescapes its strings, converts its numbers and records
// every value as an entry of a tape, in document order, a container
// entry holding its member count and where it ends. The tape is the
// parsed document: a Node navigates it (keys, indexes, strings,
// numbers) without building anything. Node.Value builds the vtl values
// of a node on demand, from a tape whose sizes are all known.

// Kind is the JSON type of a Node.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota
	False
	True
	Number // an integer (Int) or a decimal (Float)
	String
	Object
	Array
)

// tape entry kinds: Kind refined by representation.
const (
	tNull   = uint8(Null)
	tFalse  = uint8(False)
	tTrue   = uint8(True)
	tInt    = uint8(Number)
	tStr    = uint8(String) // v: offset of the bytes in the source
	tObj    = uint8(Object)
	tArr    = uint8(Array)
	tFloat  = 7 // v: the float64's bits
	tStrEsc = 8 // v: offset of the unescaped bytes in the text buffer
)

// tapeKind maps entry kinds to Kinds.
var tapeKind = [...]Kind{Null, False, True, Number, String, Object, Array, Number, String}

// tnode is one entry of the tape. For a string, n is its length in
// bytes and v its offset; for a container, n is its member count and
// v the index of the entry after its last member; for a number, v is
// its int64 or float64 bits.
type tnode struct {
	kind uint8
	dup  dupState // for an object: whether it repeats a key
	n    uint32
	v    uint64
}

// dupState is what is known of an object's keys. The scan looks for
// repeated keys only while the text may be canonical; other objects
// are checked when they are navigated or built.
type dupState uint8

const (
	dupUnknown dupState = iota
	dupNone
	dupSome
)

// Node is a value of a document parsed by Decoder.Parse: an index into
// its tape. It is valid until the Decoder's Reset or next Parse.
// Navigating a Node may record in the tape what it learned (whether an
// object repeats a key), so the Nodes of one Decoder, like the Decoder,
// are not safe for concurrent use.
type Node struct {
	d *Decoder
	i int
}

// Parse parses one JSON text completely: any text that is not exactly
// one JSON value (RFC 8259, surrounded by optional whitespace) is an
// error wrapping ErrSyntax. It returns the root of the parsed document,
// which lives in d's storage and stays valid until d.Reset or the next
// Parse; s must not change meanwhile. Parsing a document of ordinary
// size allocates nothing once that storage has grown to fit.
func (d *Decoder) Parse(s string) (root Node, err error) {
	d.canonical = false
	if len(s) > math.MaxUint32 {
		return Node{}, fmt.Errorf("%w: text longer than 4 GiB", ErrSyntax)
	}
	d.s = s
	err = d.scan()
	if err != nil {
		d.tape = d.tape[:0]
		return Node{}, err
	}
	return Node{d, 0}, nil
}

// ParseBytes is Parse over b, without copying it: b must not change
// until d.Reset or the next Parse.
func (d *Decoder) ParseBytes(b []byte) (root Node, err error) {
	return d.Parse(unsafe.String(unsafe.SliceData(b), len(b)))
}

// Canonical reports whether the text Parse parsed last is exactly
// AppendJSON's printing of its document (compact, same escapes and
// number forms, no repeated key), so a caller can reuse the text
// instead of printing the document.
func (d *Decoder) Canonical() bool {
	return d.canonical
}

// syntaxError is the error at offset i.
func syntaxError(i int, format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, i, fmt.Sprintf(format, args...))
}

// scan fills the tape with the document of d.s.
func (d *Decoder) scan() error {
	s := d.s
	tape := d.tape[:0]
	stack := d.stack[:0] // the open containers
	d.ttext, d.hi = d.ttext[:0], 0
	canonical := true
	i := 0
	var (
		c   byte
		top int
		// The high bits of the bytes of the strings without escapes.
		hi uint64
		// Whether the string scanned is a key.
		isKey bool
	)
	// Whitespace is skipped inline where it is most often absent.
value:
	for i < len(s) && s[i] <= ' ' && wsBits>>s[i]&1 != 0 {
		i++
		canonical = false
	}
	if i >= len(s) {
		return d.fail(tape, stack, syntaxError(i, "unexpected end of input"))
	}
	c = s[i]
	if c == '"' {
		isKey = false
		goto str
	}
	if len(stack) > maxDepth {
		return d.fail(tape, stack, syntaxError(i, "nesting deeper than %d", maxDepth))
	}
	switch c {
	case '{', '[':
		stack = append(stack, frame{int32(len(tape))})
		tape = append(tape, tnode{kind: tArr})
		if c == '{' {
			tape[len(tape)-1].kind = tObj
		}
		i++
		for i < len(s) && s[i] <= ' ' && wsBits>>s[i]&1 != 0 {
			i++
			canonical = false
		}
		switch {
		case i < len(s) && s[i] == c+2: // '}' or ']'
			i++
			if c == '{' {
				goto closeObj
			}
			goto closeArr
		case c == '{':
			goto key
		}
		goto value
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if c != '-' {
			// A non-negative integer of up to 18 digits, the common
			// number, is read inline; scanNumber reads the others.
			j, u := i, uint64(0)
			for j < len(s) && j-i < 18 && s[j]-'0' <= 9 {
				u = u*10 + uint64(s[j]-'0')
				j++
			}
			if j < len(s) && numEnd(s[j]) && (c != '0' || j == i+1) {
				tape = append(tape, tnode{kind: tInt, v: u})
				i = j
				goto after
			}
		}
		var e tnode
		var err error
		if e, i, err = scanNumber(s, i, &canonical); err != nil {
			return d.fail(tape, stack, err)
		}
		tape = append(tape, e)
		goto after
	case 't':
		if len(s)-i >= 4 && s[i:i+4] == "true" {
			tape = append(tape, tnode{kind: tTrue})
			i += 4
			goto after
		}
	case 'f':
		if len(s)-i >= 5 && s[i:i+5] == "false" {
			tape = append(tape, tnode{kind: tFalse})
			i += 5
			goto after
		}
	case 'n':
		if len(s)-i >= 4 && s[i:i+4] == "null" {
			tape = append(tape, tnode{kind: tNull})
			i += 4
			goto after
		}
	}
	return d.fail(tape, stack, syntaxError(i, "unexpected %q", c))

key:
	for i < len(s) && s[i] <= ' ' && wsBits>>s[i]&1 != 0 {
		i++
		canonical = false
	}
	if i >= len(s) || s[i] != '"' {
		return d.fail(tape, stack, syntaxError(i, "expected object key"))
	}
	isKey = true
str:
	// The string literal at s[i]: its end is found eight bytes at a
	// time, the first eight inline, as most strings are shorter.
	{
		var (
			k int
			h uint64
			e tnode
		)
		if i+9 <= len(s) {
			w := loadWord(s, i+1)
			if m := special8(w); m != 0 {
				k, h = i+1+bits.TrailingZeros64(m)>>3, w&highBits
			} else {
				k, h = plainEnd(s, i+9)
				h |= w & highBits
			}
		} else {
			k, h = plainEnd(s, i+1)
		}
		if k < len(s) && s[k] == '"' {
			hi |= h
			e = tnode{kind: tStr, n: uint32(k - i - 1), v: uint64(i + 1)}
			i = k + 1
		} else {
			var err error
			if e, i, err = d.scanEscaped(s, i+1, k, h, &canonical); err != nil {
				return d.fail(tape, stack, err)
			}
		}
		tape = append(tape, e)
		if !isKey {
			goto after
		}
	}
	if i >= len(s) || s[i] != ':' {
		for i < len(s) && s[i] <= ' ' && wsBits>>s[i]&1 != 0 {
			i++
			canonical = false
		}
		if i >= len(s) || s[i] != ':' {
			return d.fail(tape, stack, syntaxError(i, "expected ':' after object key"))
		}
	}
	i++
	goto value

after:
	// A value ended; it is a member of the innermost open container.
	if len(stack) == 0 {
		for i < len(s) && s[i] <= ' ' && wsBits>>s[i]&1 != 0 {
			i++
			canonical = false
		}
		if i != len(s) {
			return d.fail(tape, stack, syntaxError(i, "unexpected %q after top-level value", s[i]))
		}
		// Bytes from 0x80 up are only valid in strings: the text is
		// UTF-8 when no string held any or when they are valid.
		hi |= d.hi
		d.tape, d.stack = tape, stack
		d.canonical = canonical && (hi&highBits == 0 || utf8.ValidString(s))
		return nil
	}
	top = int(stack[len(stack)-1].top)
	tape[top].n++
	for i < len(s) && s[i] <= ' ' && wsBits>>s[i]&1 != 0 {
		i++
		canonical = false
	}
	if i >= len(s) {
		if tape[top].kind == tObj {
			return d.fail(tape, stack, syntaxError(i, "unterminated object"))
		}
		return d.fail(tape, stack, syntaxError(i, "unterminated array"))
	}
	c = s[i]
	i++
	switch obj := tape[top].kind == tObj; {
	case c == ',' && obj:
		goto key
	case c == ',':
		goto value
	case c == '}' && obj:
		goto closeObj
	case c == ']' && !obj:
		goto closeArr
	case obj:
		return d.fail(tape, stack, syntaxError(i-1, "expected ',' or '}' in object"))
	}
	return d.fail(tape, stack, syntaxError(i-1, "expected ',' or ']' in array"))

closeObj:
	top = int(stack[len(stack)-1].top)
	tape[top].v = uint64(len(tape))
	if canonical && tape[top].n > 1 {
		// Repeated keys are looked for as the scan goes only while the
		// text may be canonical, which they would stop it being (a
		// repeated key keeps its first position and its last value,
		// not how Portico prints the map). Past that, an object is
		// checked only when it is navigated or built.
		tape[top].dup = dupNone
		if d.hasDup(tape, top) {
			tape[top].dup = dupSome
			canonical = false
		}
	}
	goto pop

closeArr:
	top = int(stack[len(stack)-1].top)
	tape[top].v = uint64(len(tape))
pop:
	stack = stack[:len(stack)-1]
	goto after
}

// numEnd reports whether c cannot continue a number: not a digit, a
// decimal point or an exponent.
func numEnd(c byte) bool {
	return (c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E'
}

// frame is an open container: its tape index.
type frame struct {
	top int32
}

// fail keeps the grown storage of a failed scan and returns err.
func (d *Decoder) fail(tape []tnode, stack []frame, err error) error {
	d.tape, d.stack = tape[:0], stack[:0]
	return err
}

// str returns the string of a string entry.
func (d *Decoder) tstr(e tnode) string {
	if e.kind == tStr {
		return d.s[e.v : e.v+uint64(e.n)]
	}
	if e.n == 0 {
		return ""
	}
	return unsafe.String(&d.ttext[e.v], int(e.n))
}

// plainEnd returns the index of the first byte from i on that a string
// literal cannot hold as it is ('"', '\\', a control character), or
// len(s): eight bytes at a time while they are there. hi has the high
// bit of a byte set when a byte scanned from 0x80 up (perhaps one past
// the index: the words are scanned whole) had it.
func plainEnd(s string, i int) (k int, hi uint64) {
	for ; i+8 <= len(s); i += 8 {
		w := loadWord(s, i)
		hi |= w
		if m := special8(w); m != 0 {
			return i + bits.TrailingZeros64(m)>>3, hi & highBits
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			break
		}
		hi |= uint64(c)
	}
	return i, hi & highBits
}

// loadWord returns the eight bytes of s from i on as a little-endian
// word, without bounds checks: i+8 <= len(s).
func loadWord(s string, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))[:])
}

// highBits has the high bit of every byte of a word set.
const highBits = 0x8080808080808080

// scanEscaped unescapes the string from start (after the quote) into
// the text buffer; i is at the first byte that is not plain.
// hi is plainEnd's for the bytes from start to i.
func (d *Decoder) scanEscaped(s string, start, i int, hi uint64, canonical *bool) (tnode, int, error) {
	b := d.ttext
	at := len(b)
	run := start // the plain bytes from run to i are still to be copied
	for {
		if i >= len(s) {
			d.ttext = b
			return tnode{}, i, syntaxError(i, "unterminated string")
		}
		c := s[i]
		b = appendRun(b, s, run, i)
		if c == '"' {
			i++
			if hi != 0 && !utf8.Valid(b[at:]) {
				b = append(b[:at], string([]rune(string(b[at:])))...)
			}
			d.ttext, d.hi = b, d.hi|hi
			return tnode{kind: tStrEsc, n: uint32(len(b) - at), v: uint64(at)}, i, nil
		}
		if c != '\\' {
			d.ttext = b
			return tnode{}, i, syntaxError(i, "control character in string")
		}
		i++
		if i >= len(s) {
			d.ttext = b
			return tnode{}, i, syntaxError(i, "unterminated string")
		}
		e := s[i]
		i++
		switch e {
		case '"', '\\':
			b = append(b, e)
		case '/':
			*canonical = false
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
			hx := s[i:min(i+4, len(s))]
			r, ok := hex4(s, i)
			if !ok {
				d.ttext = b
				return tnode{}, i, syntaxError(i, "bad \\u escape")
			}
			i += 4
			// AppendQuoted writes \u00xx (lower-case hex) for the control
			// characters without a short escape; any other \u is not how
			// Portico would print the string.
			if r >= 0x20 || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t' ||
				hx[0] != '0' || hx[1] != '0' || hx[2] != hexDigits[r>>4] || hx[3] != hexDigits[r&0xf] {
				*canonical = false
			}
			if utf16.IsSurrogate(r) {
				// A surrogate pair is one character; a lone surrogate is
				// U+FFFD and the escape after it is read on its own.
				dec := utf8.RuneError
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, ok2 := hex4(s, i+2)
					if !ok2 {
						d.ttext = b
						return tnode{}, i + 2, syntaxError(i+2, "bad \\u escape")
					}
					if dec = utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
					}
				}
				r = dec
			}
			b = utf8.AppendRune(b, r)
		default:
			d.ttext = b
			return tnode{}, i, syntaxError(i, "bad escape \\%c", e)
		}
		run = i
		if i+8 <= len(s) {
			// The run to the next escape or the end is most often
			// within the next eight bytes.
			w := loadWord(s, i)
			if m := special8(w); m != 0 {
				hi |= w & highBits
				i += bits.TrailingZeros64(m) >> 3
				continue
			}
		}
		var h uint64
		i, h = plainEnd(s, i)
		hi |= h
	}
}

// appendRun appends s[run:i] to b. A run of up to eight bytes, the
// common one between escapes, is one word store into b's spare room
// when b has eight bytes of it and s eight bytes from run on (the bytes
// past the run are not kept).
func appendRun(b []byte, s string, run, i int) []byte {
	if n, l := i-run, len(b); n <= 8 && run+8 <= len(s) && cap(b)-l >= 8 {
		*(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), l)) = loadWord(s, run)
		return b[:l+n]
	}
	return append(b, s[run:i]...)
}

// hex4 reads the four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if len(s)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
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
	return r, true
}

// scanNumber scans the number at s[i] and returns its entry and the
// index after it. A number without fraction or exponent that fits in
// int64 is an integer, any other a float64.
func scanNumber(s string, i int, canonical *bool) (tnode, int, error) {
	start := i
	neg := s[i] == '-'
	if neg {
		i++
	}
	intStart := i
	// Integers of up to 18 digits are accumulated as they are scanned.
	var u uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		u = u*10 + uint64(s[i]-'0')
		i++
	}
	nd := i - intStart
	if nd == 0 {
		return tnode{}, i, syntaxError(i, "bad number")
	}
	if s[intStart] == '0' && nd > 1 {
		return tnode{}, i, syntaxError(i, "leading zero in number")
	}
	integral := true
	if i < len(s) && s[i] == '.' {
		i++
		integral = false
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return tnode{}, i, syntaxError(i, "bad fraction")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		integral = false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return tnode{}, i, syntaxError(i, "bad exponent")
		}
	}
	lit := s[start:i]
	if integral {
		if nd <= 18 {
			if neg {
				if u == 0 {
					*canonical = false // -0
				}
				return tnode{kind: tInt, v: uint64(-int64(u))}, i, nil
			}
			return tnode{kind: tInt, v: u}, i, nil
		}
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return tnode{kind: tInt, v: uint64(n)}, i, nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return tnode{}, i, syntaxError(i, "bad number %q", lit)
	}
	if *canonical {
		var buf [32]byte
		if math.IsInf(f, 0) || string(AppendJavaDouble(buf[:0], f)) != lit {
			*canonical = false
		}
	}
	return tnode{kind: tFloat, v: math.Float64bits(f)}, i, nil
}

// Kind returns the JSON type of n.
func (n Node) Kind() Kind { return tapeKind[n.d.tape[n.i].kind] }

// Len returns the number of members of an object or items of an array
// (a repeated key counts once per occurrence), 0 for other values.
func (n Node) Len() int {
	if e := n.d.tape[n.i]; e.kind == tObj || e.kind == tArr {
		return int(e.n)
	}
	return 0
}

// Index returns item i of an array; ok is false out of range or for
// other values.
func (n Node) Index(i int) (Node, bool) {
	e := n.d.tape[n.i]
	if e.kind != tArr || i < 0 || i >= int(e.n) {
		return Node{}, false
	}
	j := n.i + 1
	for ; i > 0; i-- {
		j = skip(n.d.tape, j)
	}
	return Node{n.d, j}, true
}

// Member returns member i of an object: its key and value; ok is false
// out of range or for other values.
func (n Node) Member(i int) (key string, v Node, ok bool) {
	e := n.d.tape[n.i]
	if e.kind != tObj || i < 0 || i >= int(e.n) {
		return "", Node{}, false
	}
	j := n.i + 1
	for ; i > 0; i-- {
		j = skip(n.d.tape, j+1)
	}
	return n.d.tstr(n.d.tape[j]), Node{n.d, j + 1}, true
}

// Get returns the value of key in an object (the last one when the key
// repeats); ok is false when there is none or n is not an object.
func (n Node) Get(key string) (v Node, ok bool) {
	e := n.d.tape[n.i]
	if e.kind != tObj {
		return Node{}, false
	}
	dup := n.d.dups(n.i)
	j := n.i + 1
	for range e.n {
		if n.d.tstr(n.d.tape[j]) == key {
			v, ok = Node{n.d, j + 1}, true
			if !dup {
				return v, ok
			}
		}
		j = skip(n.d.tape, j+1)
	}
	return v, ok
}

// Str returns the unescaped text of a string, "" for other values.
func (n Node) Str() string {
	if e := n.d.tape[n.i]; e.kind == tStr || e.kind == tStrEsc {
		return n.d.tstr(e)
	}
	return ""
}

// Int returns an integer number, 0 for other values; ok is false when
// n is not a number without fraction or exponent that fits in int64.
func (n Node) Int() (v int64, ok bool) {
	if e := n.d.tape[n.i]; e.kind == tInt {
		return int64(e.v), true
	}
	return 0, false
}

// Float returns a number as float64, 0 for other values.
func (n Node) Float() float64 {
	switch e := n.d.tape[n.i]; e.kind {
	case tInt:
		return float64(int64(e.v))
	case tFloat:
		return math.Float64frombits(e.v)
	}
	return 0
}

// Value returns n as vtl values, as DecodeCanonical returns them. The
// containers, string headers and numbers are carved from d's slabs and
// stay valid until d.Reset; the bytes of unescaped strings are copied
// where Reset does not reuse them, so strings taken out of the value
// stay valid after it.
func (n Node) Value() any {
	if n.d == nil {
		return nil
	}
	v, _ := n.d.value(n.i)
	return v
}

// value materializes the tape entry at i and returns the index after it.
func (d *Decoder) value(i int) (any, int) {
	e := &d.tape[i]
	switch e.kind {
	case tStr:
		return d.boxStr(d.s[e.v : e.v+uint64(e.n)]), i + 1
	case tStrEsc:
		return d.boxStr(d.keep(e)), i + 1
	case tInt:
		return d.boxInt(int64(e.v)), i + 1
	case tFloat:
		return d.boxFloat(math.Float64frombits(e.v)), i + 1
	case tTrue:
		return true, i + 1
	case tFalse:
		return false, i + 1
	case tObj:
		return d.object(i), int(e.v)
	case tArr:
		return d.array(i), int(e.v)
	}
	return nil, i + 1
}

// key returns the string of the key entry e, kept past Reset.
func (d *Decoder) key(e *tnode) string {
	if e.kind == tStr {
		return d.s[e.v : e.v+uint64(e.n)]
	}
	return d.keep(e)
}

// keep copies the unescaped bytes of e where Reset does not reuse them.
func (d *Decoder) keep(e *tnode) string {
	if e.n == 0 {
		return ""
	}
	return d.Copy(d.ttext[e.v : e.v+uint64(e.n)])
}

// object materializes the object entry at i.
func (d *Decoder) object(i int) *vtl.Map {
	e := &d.tape[i]
	m := one(&d.maps)
	n := int(e.n)
	j := i + 1
	if d.dups(i) {
		// A repeated key keeps its first position and its last value.
		vtl.InitMapOf(m, nil, nil)
		for range n {
			k := d.key(&d.tape[j])
			var v any
			v, j = d.value(j + 1)
			m.Put(k, v)
		}
		return m
	}
	mk, mv := carve(&d.mkeys, n), carve(&d.mvals, n)
	for k := range mk {
		mk[k] = d.key(&d.tape[j])
		mv[k], j = d.value(j + 1)
	}
	vtl.InitMapOf(m, mk, mv)
	return m
}

// array materializes the array entry at i.
func (d *Decoder) array(i int) *vtl.List {
	l := one(&d.lists)
	items := carve(&d.items, int(d.tape[i].n))
	j := i + 1
	for k := range items {
		items[k], j = d.value(j)
	}
	*l = vtl.List{Items: items}
	return l
}

// one returns a new element carved from *slab.
func one[T any](slab *[]T) *T {
	if len(*slab) == cap(*slab) {
		*slab = make([]T, 0, grow(cap(*slab), maxChunk))
	}
	*slab = (*slab)[:len(*slab)+1]
	return &(*slab)[len(*slab)-1]
}

// carve returns n elements carved from *slab; more than a handful get
// an array of their own.
func carve[T any](slab *[]T, n int) []T {
	if n > 16 {
		return make([]T, n)
	}
	if cap(*slab)-len(*slab) < n {
		*slab = make([]T, 0, max(grow(cap(*slab), maxItemChunk), n))
	}
	at := len(*slab)
	*slab = (*slab)[:at+n]
	return (*slab)[at : at+n : at+n]
}
