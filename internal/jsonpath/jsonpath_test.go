package jsonpath

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func get(t *testing.T, doc, path string) (string, bool) {
	t.Helper()
	v, err := DecodeString(doc)
	if err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	p, err := Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	r, ok := p.Get(v)
	return string(AppendJSON(nil, r)), ok
}

func TestGet(t *testing.T) {
	t.Parallel()
	const pets = `{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]}`
	for _, tc := range []struct {
		name, doc, path, want string
		ok                    bool
	}{
		{"vtl §2 $ is the whole body", pets, "$", pets, true},
		{"vtl §2 dot notation", pets, "$.pets[0].type", `"dog"`, true},
		{"vtl §2 bracket notation", pets, "$['pets'][1]['type']", `"cat"`, true},
		{"vtl §2 wildcard yields a list", pets, "$.pets[*].id", `[1,2,3]`, true},
		{"vtl §2 filter", pets, "$.pets[?(@.price < 125)].type", `["cat","fish"]`, true},
		{"vtl §2 recursive descent", pets, "$..id", `[1,2,3]`, true},
		{"slice", pets, "$.pets[1:3].id", `[2,3]`, true},
		{"negative index counts from the end (Jayway 2.1+)", pets, "$.pets[-1].type", `"fish"`, true},
		{"negative index out of range", pets, "$.pets[-4]", `null`, false},
		{"definite missing property is no match", pets, "$.nope", `null`, false},
		{"indefinite missing inner property is an empty list", pets, "$.nope[*].id", `[]`, true},
		{"path without $ gets $. prefix", pets, "pets[2].id", `3`, true},
		{"multi-key yields a map", `{"a":1,"b":2,"c":3}`, "$['a','c']", `{"a":1,"c":3}`, true},
		{"regex is a whole-string match", `[{"n":"abc"},{"n":"xabc"}]`, "$[?(@.n =~ /a.c/)]", `[{"n":"abc"}]`, true},
		{"decimals print like Java doubles", `{"a":1001.00,"b":1e10}`, "$", `{"a":1001.0,"b":1.0E10}`, true},
		{"json escapes only what JSON needs", `{"s":"a/b é \"q\"\n"}`, "$.s", `"a/b é \"q\"\n"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := get(t, tc.doc, tc.path)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("%s on %s = %s, %v; want %s, %v", tc.path, tc.doc, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "$.", "$[", "$.a b", "$[?(@.a == 1]", "$..", "$[?(1 == 1)]", "$['a'"} {
		if _, err := Compile(p); err == nil {
			t.Errorf("Compile(%q) succeeded, want error", p)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"b":1,"a":2,"b":3}`, `{"b":3,"a":2}`},
		{`[1,-0,1.5,-2e-3,9223372036854775807,9223372036854775808]`, `[1,0,1.5,-0.002,9223372036854775807,9.223372036854776E18]`},
		{`"\ud83d\ude00\u00e9\/"`, `"😀é/"`},
		{` {"a" : [ true , false , null ] } `, `{"a":[true,false,null]}`},
	} {
		v, err := DecodeString(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := string(AppendJSON(nil, v)); got != tc.want {
			t.Errorf("%s → %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a":}`, `01`, `"a`, `tru`, `{"a":1}x`, "\"\x01\"", strings.Repeat("[", 2000)} {
		if _, err := DecodeString(bad); err == nil {
			t.Errorf("DecodeString(%q) succeeded", bad)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    float64
		want string
	}{{1.99, "1.99"}, {1001, "1001.0"}, {0.001, "0.001"}, {0.0001, "1.0E-4"}, {1e7, "1.0E7"}, {1234567.5, "1234567.5"}, {-2.5e-10, "-2.5E-10"}, {0, "0.0"}} {
		if got := string(AppendJavaDouble(nil, tc.f)); got != tc.want {
			t.Errorf("%v → %s, want %s", tc.f, got, tc.want)
		}
	}
}

func FuzzCompileGet(f *testing.F) {
	for _, p := range oraclePaths {
		f.Add(p, oracleDocs[0])
	}
	for _, d := range oracleDocs {
		f.Add("$..*", d)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		v, err := DecodeString(doc)
		if err != nil {
			return
		}
		p, err := Compile(path)
		if err != nil {
			return
		}
		r, ok := p.Get(v)
		if ok {
			_ = AppendJSON(nil, r)
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, d := range oracleDocs {
		f.Add(d)
	}
	var reused Decoder
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := DecodeString(doc)
		// A Decoder reused after Reset decodes what a fresh one does.
		reused.Reset()
		rv, _, rerr := reused.DecodeCanonical(doc)
		if (err == nil) != (rerr == nil) || string(AppendJSON(nil, rv)) != string(AppendJSON(nil, v)) {
			t.Fatalf("reused decoder: %v %v", err, rerr)
		}
		if err != nil || !utf8.ValidString(doc) {
			return
		}
		out := AppendJSON(nil, v)
		v2, err := Decode(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if again := AppendJSON(nil, v2); string(again) != string(out) {
			t.Fatalf("round trip %s → %s", doc, out)
		}
		if _, canon, _ := DecodeCanonical(doc); canon && string(out) != doc {
			t.Fatalf("%q reported canonical, prints as %q", doc, out)
		}
		if _, canon, _ := DecodeCanonical(string(out)); !canon && utf8.Valid(out) {
			t.Fatalf("AppendJSON output %q not reported canonical", out)
		}
	})
}

// TestDecodeStrings checks string escapes against encoding/json (RFC
// 8259 §7): short escapes, \u escapes, surrogate pairs, lone surrogates
// (U+FFFD) and long strings that cross the eight-byte scanning words.
func TestDecodeStrings(t *testing.T) {
	t.Parallel()
	for _, lit := range []string{
		`""`, `"a"`, `"abcdefgh"`, `"abcdefghi"`, `"abcdefgh\"ij"`, `"\"quoted\" and \/slash\/"`,
		`"bench\/1.0 \"quoted\""`, `"\b\f\n\r\t\\"`, `"\u0041\u00e9\u20AC"`, `"x\ud83d\ude00y"`,
		`"\ud83dx"`, `"\ud83d\u0041"`, `"\ude00\ud83d"`, `"\ud83d\ud83d\ude00"`, `"é€😀 long enough to need words"`,
		`"0123456789abcdef\n0123456789abcdef\u0000"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		for _, doc := range []string{lit, "[" + lit + "," + lit + "]", `{"k":` + lit + `}`} {
			v, err := DecodeString(doc)
			if err != nil {
				t.Errorf("RFC 8259 §7 %s: %v", doc, err)
				continue
			}
			if got := string(AppendJSON(nil, v)); got != string(mustJSON(t, doc, want)) {
				t.Errorf("RFC 8259 §7 %s decodes as %s", doc, got)
			}
		}
	}
	for _, bad := range []string{`"abc`, `"abcdefghijk`, `"a\"`, `"a\x"`, `"a\u12"`, "\"a\tb\"", "\"abcdefgh\x01\"", `"\ud83d\u12"`} {
		if _, err := DecodeString(bad); err == nil {
			t.Errorf("RFC 8259 §7 %q: want an error", bad)
		}
	}
}

// mustJSON is doc with each string replaced by want, printed as
// AppendJSON prints it.
func mustJSON(t *testing.T, doc, want string) []byte {
	t.Helper()
	q := AppendQuoted(nil, want)
	switch doc[0] {
	case '[':
		return []byte("[" + string(q) + "," + string(q) + "]")
	case '{':
		return []byte(`{"k":` + string(q) + "}")
	}
	return q
}

// TestDecoderReset checks the arena contract: values stay valid until
// Reset, a reset Decoder decodes like a fresh one, and once its slabs
// fit a document it decodes it without allocating.
func TestDecoderReset(t *testing.T) {
	var d Decoder
	var kept []string
	for _, doc := range oracleDocs {
		v, _, err := d.DecodeCanonical(doc)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		kept = append(kept, string(AppendJSON(nil, v)))
		if got := string(AppendJSON(nil, v)); got != kept[len(kept)-1] {
			t.Fatalf("value changed by later decodes")
		}
	}
	for i, doc := range oracleDocs {
		d.Reset()
		v, _, _ := d.DecodeCanonical(doc)
		if got := string(AppendJSON(nil, v)); got != kept[i] {
			t.Errorf("after Reset %s decodes as %s, want %s", doc, got, kept[i])
		}
	}
	doc := `{"a":[1,2,{"b":"x","c":null,"d":1234567,"e":-1.5e3}],"f":true,"g":{}}`
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset()
		if _, _, err := d.DecodeCanonical(doc); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations per decode after Reset, want 0", allocs)
	}
}

func BenchmarkGetDefinite(b *testing.B) {
	v, _ := DecodeString(oracleDocs[0])
	p := MustCompile("$.store.book[2].isbn")
	b.ReportAllocs()
	for b.Loop() {
		p.Get(v)
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		DecodeString(oracleDocs[0])
	}
}

// BenchmarkDecoderReset decodes a small request body with a Decoder
// reset between decodes, as a pooled request does.
func BenchmarkDecoderReset(b *testing.B) {
	const body = `{"items":[{"name":"apple","qty":1},{"name":"banana","qty":2},{"name":"cherry","qty":3},{"name":"date","qty":4},{"name":"elder","qty":5}],"note":"hello \"world\""}`
	var d Decoder
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		if _, _, err := d.DecodeCanonical(body); err != nil {
			b.Fatal(err)
		}
	}
}
