package jsonpath

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/portico-dev/portico/internal/vtl"
)

// TestParseNavigate checks that a parsed document navigates to the
// values RFC 8259 gives its text: keys, indexes, unescaped strings,
// numbers (RFC 8259 §4-§7), a repeated key reading its last value.
func TestParseNavigate(t *testing.T) {
	t.Parallel()
	var d Decoder
	root, err := d.Parse(` {"a": [1, -2.5e1, "x\"y", true, false, null, {}], "b\/": {"c": "d"}, "a2": 12345678901234567890, "r": 1, "r": 2} `)
	if err != nil {
		t.Fatal(err)
	}
	if d.Canonical() {
		t.Error("RFC 8259 §2 text with whitespace reported canonical")
	}
	if root.Kind() != Object || root.Len() != 5 {
		t.Fatalf("root kind %v len %d", root.Kind(), root.Len())
	}
	a, ok := root.Get("a")
	if !ok || a.Kind() != Array || a.Len() != 7 {
		t.Fatalf("RFC 8259 §5 a: %v %v", a.Kind(), a.Len())
	}
	for i, tc := range []struct {
		kind Kind
		str  string
		num  float64
	}{{Number, "", 1}, {Number, "", -25}, {String, `x"y`, 0}, {True, "", 0}, {False, "", 0}, {Null, "", 0}, {Object, "", 0}} {
		n, ok := a.Index(i)
		if !ok || n.Kind() != tc.kind || n.Str() != tc.str || n.Float() != tc.num {
			t.Errorf("RFC 8259 §5 a[%d] = %v %q %v, want %v %q %v", i, n.Kind(), n.Str(), n.Float(), tc.kind, tc.str, tc.num)
		}
	}
	if n, _ := a.Index(0); func() bool { v, ok := n.Int(); return v != 1 || !ok }() {
		t.Error("RFC 8259 §6 a[0] is not the integer 1")
	}
	if _, ok := a.Index(7); ok {
		t.Error("a[7] out of range found")
	}
	k, b, ok := root.Member(1)
	if c, _ := b.Get("c"); !ok || k != "b/" || c.Str() != "d" {
		t.Errorf("RFC 8259 §7 member 1 = %q %q", k, c.Str())
	}
	if n, _ := root.Get("a2"); n.Kind() != Number || n.Float() != 12345678901234567890 {
		t.Errorf("RFC 8259 §6 a2 = %v", n.Float())
	}
	if _, ok := n2i(root.Get("a2")); ok {
		t.Error("RFC 8259 §6 a2 out of int64 range reads as an integer")
	}
	if n, _ := root.Get("r"); func() bool { v, _ := n.Int(); return v != 2 }() {
		t.Error("RFC 8259 §4 repeated key r does not read its last value")
	}
	if _, ok := root.Get("zz"); ok {
		t.Error("missing key found")
	}
	// Value builds what DecodeString does.
	want, _ := DecodeString(d.s)
	if got := root.Value(); string(AppendJSON(nil, got)) != string(AppendJSON(nil, want)) {
		t.Errorf("Value %s, DecodeString %s", AppendJSON(nil, got), AppendJSON(nil, want))
	}
}

func n2i(n Node, _ bool) (int64, bool) { return n.Int() }

// TestParseErrors checks that every text that is not exactly one JSON
// value fails (RFC 8259 §2), and leaves the decoder usable.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	var d Decoder
	for _, bad := range []string{
		``, ` `, `{`, `}`, `[`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{1:2}`,
		`01`, `-`, `1.`, `1e`, `1e+`, `.5`, `+1`, `tru`, `nul`, `falsey`, `"a`, `"\x"`, "\"\x01\"", `[1 2]`,
		`{"a":1}}`, `[1]]`, `1 2`, `"a" "b"`, `{"a":[}`, `[{]`, strings.Repeat("[", 1002) + strings.Repeat("]", 1002),
	} {
		if _, err := d.Parse(bad); err == nil || json.Valid([]byte(bad)) && len(bad) < 1000 {
			t.Errorf("RFC 8259 §2 %q: err %v", bad, err)
		}
		d.Reset()
	}
	if n, err := d.Parse(`[1]`); err != nil || n.Len() != 1 {
		t.Errorf("after errors: %v", err)
	}
}

// TestParseCanonical checks the canonical report against AppendJSON.
func TestParseCanonical(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		doc   string
		canon bool
	}{
		{`{"a":1,"b":[true,null,"x"]}`, true}, {`{"a":1,"a":2}`, false}, {`{"a": 1}`, false},
		{`"a\/b"`, false}, {`"\u0001"`, true}, {`"\u0041"`, false}, {`-0`, false}, {`1.5`, true}, {`1.50`, false},
		// Text that is not UTF-8 (RFC 8259 §8.1) is never canonical, in
		// a plain string or between escapes, short or long.
		{"\"\xff\"", false}, {"[\"abcdefghij\xc3\"]", false}, {"\"a\\n\xe2\x82\"", false}, {"{\"\xff\":1}", false},
		{"\"é€😀 and more than eight bytes\"", true}, {"\"\\nétoile\"", true},
	} {
		var d Decoder
		_, err := d.Parse(tc.doc)
		if canon := d.Canonical(); err != nil || canon != tc.canon {
			t.Errorf("%s: canonical %v, %v; want %v", tc.doc, canon, err, tc.canon)
		}
	}
}

// FuzzParse checks Parse against encoding/json: the same texts are
// valid (nesting aside), and the document navigates to the values
// encoding/json decodes and Value builds.
func FuzzParse(f *testing.F) {
	for _, d := range oracleDocs {
		f.Add(d)
	}
	f.Add(`{"a":[1,"x\"y",{"b":null}],"a":2.5e3, "c" : "\u00e9\ud83d\ude00"}`)
	var d Decoder
	f.Fuzz(func(t *testing.T, doc string) {
		d.Reset()
		root, err := d.Parse(doc)
		depth := strings.Count(doc, "[") + strings.Count(doc, "{")
		if valid := json.Valid([]byte(doc)); (err == nil) != valid && depth < maxDepth {
			t.Fatalf("Parse %q: %v, encoding/json valid %v", doc, err, valid)
		}
		if err != nil || !utf8.ValidString(doc) {
			return
		}
		var want any
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !sameNode(root, want) {
			t.Fatalf("%q navigates differently from encoding/json's %#v", doc, want)
		}
		v := root.Value()
		if !sameNode(root, toJSONValue(v)) {
			t.Fatalf("%q: Value %s differs from the document", doc, AppendJSON(nil, v))
		}
	})
}

// sameNode reports whether n holds the encoding/json value want.
func sameNode(n Node, want any) bool {
	switch w := want.(type) {
	case nil:
		return n.Kind() == Null
	case bool:
		return n.Kind() == True && w || n.Kind() == False && !w
	case string:
		return n.Kind() == String && n.Str() == w
	case json.Number:
		if n.Kind() != Number {
			return false
		}
		if i, ok := n.Int(); ok {
			return jsonInt(w) == i
		}
		f, err := w.Float64()
		return err != nil || f == n.Float()
	case []any:
		if n.Kind() != Array || n.Len() != len(w) {
			return false
		}
		for i, x := range w {
			if c, ok := n.Index(i); !ok || !sameNode(c, x) {
				return false
			}
		}
		return true
	case map[string]any:
		if n.Kind() != Object {
			return false
		}
		for k, x := range w {
			if c, ok := n.Get(k); !ok || !sameNode(c, x) {
				return false
			}
		}
		for i := range n.Len() {
			if k, _, _ := n.Member(i); !has(w, k) {
				return false
			}
		}
		return true
	}
	return false
}

func has(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

func jsonInt(w json.Number) int64 {
	i, err := w.Int64()
	if err != nil {
		return -1 << 63
	}
	return i
}

// toJSONValue converts vtl values to encoding/json's.
func toJSONValue(v any) any {
	switch x := v.(type) {
	case int64:
		return json.Number(AppendJSON(nil, x))
	case float64:
		return json.Number(AppendJSON(nil, x))
	case *vtl.List:
		out := make([]any, len(x.Items))
		for i, it := range x.Items {
			out[i] = toJSONValue(it)
		}
		return out
	case *vtl.Map:
		out := map[string]any{}
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out[k] = toJSONValue(e)
		}
		return out
	}
	return v
}

// TestParseIntegers checks integers around the inline path's limits
// against RFC 8259 §6: leading zeros are errors, 18 and 19 digits read
// as integers, a fraction or exponent makes a decimal.
func TestParseIntegers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		doc  string
		n    int64
		kind int // 0 integer, 1 decimal, 2 error
	}{
		{"[0]", 0, 0}, {"[7]", 7, 0}, {"[42,", 0, 2}, {"[01]", 0, 2}, {"[00]", 0, 2}, {"[0.5]", 0, 1},
		{"[123456789012345678]", 123456789012345678, 0}, {"[1234567890123456789]", 1234567890123456789, 0},
		{"[92233720368547758070]", 0, 1}, {"[12e3]", 0, 1}, {"[12E3]", 0, 1}, {"[12.]", 0, 2}, {"[1x]", 0, 2},
		{"[-5]", -5, 0}, {"5", 5, 0}, {`{"a":9}`, 9, 0},
	} {
		var d Decoder
		root, err := d.Parse(tc.doc)
		if (err != nil) != (tc.kind == 2) {
			t.Errorf("%s: error %v", tc.doc, err)
			continue
		}
		if err != nil {
			continue
		}
		n := root
		if k := root.Kind(); k == Array {
			n, _ = root.Index(0)
		} else if k == Object {
			n, _ = root.Get("a")
		}
		v, isInt := n.Int()
		if isInt != (tc.kind == 0) || isInt && v != tc.n {
			t.Errorf("%s: Int %d %v, want %d integer %v", tc.doc, v, isInt, tc.n, tc.kind == 0)
		}
	}
}

// The request body and the rendered output of the typical mapping
// template (internal/mapping's velocityjs benchmark): the two texts a
// typical request template parses.
const (
	benchBody   = `{"items":[{"name":"apple","qty":1},{"name":"banana","qty":2},{"name":"cherry","qty":3},{"name":"date","qty":4},{"name":"elder","qty":5}],"note":"hello \"world\""}`
	benchOutput = "{\n  \"body\": {\"items\":[{\"name\":\"apple\",\"qty\":1},{\"name\":\"banana\",\"qty\":2},{\"name\":\"cherry\",\"qty\":3},{\"name\":\"date\",\"qty\":4},{\"name\":\"elder\",\"qty\":5}],\"note\":\"hello \\\"world\\\"\"},\n  \"q\": \"search term\",\n  \"id\": \"42\",\n  \"ua\": \"bench\\/1.0 \\\"quoted\\\"\",\n  \"items\": [\"apple\",\"banana\",\"cherry\",\"date\",\"elder\"],\n  \"count\": 5,\n  \"stage\": \"dev\",\n  \"requestId\": \"req-1\",\n  \"method\": \"POST\",\n  \"headers\": {\n        \"Host\": \"127.0.0.1:3000\",        \"User-Agent\": \"bench\\/1.0 \\\"quoted\\\"\",        \"Content-Type\": \"application\\/json\",        \"Accept\": \"*\\/*\"      }\n}"
)

// BenchmarkParse is the tape scan alone, with the decoder's storage
// reused as a pooled request reuses it.
func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct{ name, doc string }{{"body", benchBody}, {"output", benchOutput}} {
		b.Run(tc.name, func(b *testing.B) {
			var d Decoder
			b.SetBytes(int64(len(tc.doc)))
			b.ReportAllocs()
			for b.Loop() {
				d.Reset()
				if _, err := d.Parse(tc.doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
