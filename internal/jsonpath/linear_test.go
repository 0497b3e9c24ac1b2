package jsonpath

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// adversarialDocs build hostile request bodies of about n bytes: what a
// client may send to make the parse of a body slow. Some are valid, some
// fail (nesting past maxDepth, unterminated text); either way the parse
// must end in time linear in n, since nothing a client sends may hang
// the server.
var adversarialDocs = []struct {
	name string
	doc  func(n int) string
}{
	{"nesting at the limit, repeated", func(n int) string {
		one := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
		return "[" + strings.TrimSuffix(strings.Repeat(one+",", n/len(one)+1), ",") + "]"
	}},
	{"open brackets", func(n int) string { return strings.Repeat("[", n) }},
	{"open objects", func(n int) string { return strings.Repeat(`{"a":`, n/5) }},
	{"escapes", func(n int) string { return `"` + strings.Repeat(`\n\"\\\/\u00e9\t`, n/18) + `"` }},
	{"lone surrogates", func(n int) string { return `"` + strings.Repeat(`\ud800`, n/6) + `"` }},
	{"surrogate pairs", func(n int) string { return `"` + strings.Repeat(`\ud83d\ude00`, n/12) + `"` }},
	{"invalid UTF-8 among escapes", func(n int) string { return `"` + strings.Repeat("\\n\xff\xc3", n/4) + `"` }},
	{"unterminated escaped string", func(n int) string { return `"` + strings.Repeat(`a\n`, n/3) }},
	{"long plain string", func(n int) string { return `"` + strings.Repeat("abcdefg ", n/8) + `"` }},
	{"repeated key", func(n int) string { return "{" + strings.TrimSuffix(strings.Repeat(`"k":[1],`, n/8), ",") + "}" }},
	{"distinct keys", func(n int) string {
		var b strings.Builder
		b.WriteByte('{')
		for i := 0; b.Len() < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
		}
		b.WriteByte('}')
		return b.String()
	}},
	{"small objects of look-alike keys", func(n int) string {
		// Sixteen keys of one length, first and last byte: the cheap
		// repeated-key signature collides on every one.
		var o strings.Builder
		o.WriteByte('{')
		for i := range 16 {
			if i > 0 {
				o.WriteByte(',')
			}
			fmt.Fprintf(&o, `"a%cz":0`, 'a'+i)
		}
		o.WriteByte('}')
		return "[" + strings.TrimSuffix(strings.Repeat(o.String()+",", n/(o.Len()+1)+1), ",") + "]"
	}},
	{"huge integer", func(n int) string { return strings.Repeat("9", n) }},
	{"huge fraction", func(n int) string { return "1." + strings.Repeat("3", n) }},
	{"huge exponent", func(n int) string { return "1e" + strings.Repeat("9", n) }},
	{"many decimals", func(n int) string { return "[" + strings.Repeat("1.25e-7,", n/8) + "1]" }},
	{"whitespace", func(n int) string { return strings.Repeat(" \t\r\n", n/4) + "1" }},
}

// TestParseLinearTime checks that parsing a hostile body (and building
// its values) takes time linear in its size: sixteen times the size may
// take at most 48 times as long (2.6x per doubling: room for the cache
// misses of larger documents), where a quadratic step takes 256 times
// as long. The bodies have 128 KiB and 2 MiB.
func TestParseLinearTime(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("timing test")
	}
	const n = 128 << 10
	parse := func(doc string) time.Duration {
		// The decoder's storage grows to fit on the first parse and is
		// reused (Parse without Reset keeps it), so the parses timed
		// compare the work per byte, not the cost of fresh memory.
		var d Decoder
		best := time.Duration(1 << 62)
		for i := range 6 {
			runtime.GC() // no collection owed for earlier garbage
			start := time.Now()
			if root, err := d.Parse(doc); err == nil {
				root.Value()
			}
			if i > 0 {
				best = min(best, time.Since(start))
			}
		}
		return best
	}
	for _, tc := range adversarialDocs {
		small, large := tc.doc(n), tc.doc(16*n)
		var t1, t16 time.Duration
		// A loaded machine can stretch one measurement; a super-linear
		// parse fails every attempt.
		for range 3 {
			t1, t16 = parse(small), parse(large)
			if t16 <= 48*t1+time.Millisecond {
				break
			}
		}
		t.Logf("%s: %v, %v (%.1fx)", tc.name, t1, t16, float64(t16)/float64(t1))
		if t16 > 48*t1+time.Millisecond {
			t.Errorf("%s: %d bytes parse in %v, %d bytes in %v: not linear", tc.name, len(small), t1, len(large), t16)
		}
		if t16 > time.Second {
			t.Errorf("%s: %d bytes take %v", tc.name, len(large), t16)
		}
	}
}
