package jsonpath

import (
	"errors"
	"hash/maphash"
	"math/bits"
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
	// The text Parse parsed last and whether it is exactly what
	// AppendJSON prints.
	s         string
	canonical bool
	// The high bits of the bytes of the strings with escapes scanned.
	hi uint64
	// A hash table over the keys of one object, to find repeated ones.
	dupTab []uint32
	seed   maphash.Seed
	seeded bool
	// Slabs: containers, entries and boxed scalars are carved from them.
	maps  []vtl.Map
	lists []vtl.List
	items []any
	mkeys []string
	mvals []any
	strs  []string
	nums  []int64
	flts  []float64
	// The tape of the document Parse parsed last, the stack of its open
	// containers, and the unescaped bytes of its strings with escapes.
	tape  []tnode
	stack []frame
	ttext []byte
	// text holds the bytes of strings with escapes. It only grows: bytes
	// handed out are never written again, not even after Reset.
	text []byte
}

// Slab limits: chunks never grow past these, and Reset drops slabs that
// did so a pooled Decoder does not pin the storage of one huge document.
const (
	maxChunk     = 256
	maxItemChunk = 1024
	maxTape      = 64 << 10
)

// DecodeCanonical is the package-level DecodeCanonical using d's
// storage: Parse, then Value of the root. The value stays valid until
// d.Reset.
func (d *Decoder) DecodeCanonical(s string) (v any, canonical bool, err error) {
	root, err := d.Parse(s)
	if err != nil {
		return nil, false, err
	}
	v = root.Value()
	return v, d.Canonical(), nil
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
	if cap(d.dupTab) > maxTape {
		d.dupTab = nil
	}
	if cap(d.tape) > maxTape {
		d.tape, d.stack, d.ttext = nil, nil, nil
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

func grow(c, limit int) int { return min(max(2*c, 8), limit) }

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

// wsBits has the bits of the JSON whitespace bytes set.
const wsBits = 1<<' ' | 1<<'\t' | 1<<'\n' | 1<<'\r'

// dups reports whether the object at tape index i repeats a key,
// checking it on first use.
func (d *Decoder) dups(i int) bool {
	e := &d.tape[i]
	if e.dup == dupUnknown {
		e.dup = dupNone
		if e.n > 1 && d.hasDup(d.tape, i) {
			e.dup = dupSome
		}
	}
	return e.dup == dupSome
}

// hasDup reports whether the closed object at tape[top] repeats a key.
func (d *Decoder) hasDup(tape []tnode, top int) bool {
	n := int(tape[top].n)
	if n > 16 {
		return d.hasDupHashed(tape, top)
	}
	if n <= 8 {
		// A few keys are compared pairwise, lengths first.
		for i, j := 1, skip(tape, top+2); i < n; i, j = i+1, skip(tape, j+1) {
			for p := top + 1; p < j; p = skip(tape, p+1) {
				if tape[p].n == tape[j].n && d.tstr(tape[p]) == d.tstr(tape[j]) {
					return true
				}
			}
		}
		return false
	}
	// Keys are compared only when a cheap signature of their length and
	// first and last bytes collides with an earlier key's.
	var sigs uint64
	for i, j := 0, top+1; i < n; i, j = i+1, skip(tape, j+1) {
		k := d.tstr(tape[j])
		var sig uint
		if len(k) > 0 {
			sig = uint(len(k)) + uint(k[0]) + uint(k[len(k)-1])*7
		}
		bit := uint64(1) << (sig & 63)
		if sigs&bit != 0 {
			for p := top + 1; p < j; p = skip(tape, p+1) {
				if d.tstr(tape[p]) == k {
					return true
				}
			}
		}
		sigs |= bit
	}
	return false
}

// skip returns the tape index after the value at i.
func skip(tape []tnode, i int) int {
	if e := &tape[i]; e.kind == tObj || e.kind == tArr {
		return int(e.v)
	}
	return i + 1
}

// hasDupHashed is hasDup for many keys: an open-addressing table of the
// keys' tape indexes, at most half full, hashed with the decoder's own
// random seed, so no text can make the probes collide. The table is
// kept for the next object and cleared only as far as it is used, so
// the work is linear in the number of keys and allocates nothing once
// grown.
func (d *Decoder) hasDupHashed(tape []tnode, top int) bool {
	if !d.seeded {
		d.seed, d.seeded = maphash.MakeSeed(), true
	}
	n := int(tape[top].n)
	size := 1 << bits.Len(uint(2*n-1))
	if cap(d.dupTab) < size {
		d.dupTab = make([]uint32, size)
	}
	tab := d.dupTab[:size]
	clear(tab)
	mask := uint64(size - 1)
	for i, j := 0, top+1; i < n; i, j = i+1, skip(tape, j+1) {
		k := d.tstr(tape[j])
		for h := maphash.String(d.seed, k) & mask; ; h = (h + 1) & mask {
			e := tab[h]
			if e == 0 {
				tab[h] = uint32(j + 1)
				break
			}
			if d.tstr(tape[e-1]) == k {
				return true
			}
		}
	}
	return false
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
