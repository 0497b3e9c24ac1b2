package vtl

import (
	"bytes"
	"strings"
	"testing"
)

// benchTemplate is the TEMPLATE of shared/bench-peers/velocityjs_bench.js:
// a typical REST request mapping template.
const benchTemplate = `#set($inputRoot = $input.path('$'))
{
  "body": $input.json('$'),
  "q": "$input.params('q')",
  "id": "$input.params('id')",
  "ua": "$util.escapeJavaScript($input.params('User-Agent'))",
  "items": [#foreach($i in $input.path('$.items'))"$i.name"#if($foreach.hasNext),#end#end],
  "count": $inputRoot.items.size(),
  "stage": "$context.stage",
  "requestId": "$context.requestId",
  "method": "$context.httpMethod",
  "headers": {
    #foreach($h in $input.params().header.keySet())
    "$h": "$util.escapeJavaScript($input.params().header.get($h))"#if($foreach.hasNext),#end
    #end
  }
}`

const benchBody = `{"items":[{"name":"apple","qty":1},{"name":"banana","qty":2},{"name":"cherry","qty":3},{"name":"date","qty":4},{"name":"elder","qty":5}],"note":"hello \"world\""}`

// benchInput imitates $input with precomputed plain data, so the
// benchmark measures the engine rather than JSONPath.
type benchInput struct {
	root, items, params, body any
	path, query, header       *Map
}

func (in *benchInput) Property(name string) (any, bool) {
	if name == "body" {
		return in.body, true
	}
	return nil, false
}

func (in *benchInput) Call(name string, args []any) (any, error) {
	switch name {
	case "path":
		if len(args) == 1 {
			switch args[0] {
			case "$":
				return in.root, nil
			case "$.items":
				return in.items, nil
			}
			return nil, nil
		}
	case "json":
		return in.body, nil
	case "params":
		if len(args) == 0 {
			return in.params, nil
		}
		n, _ := args[0].(string)
		for _, m := range []*Map{in.path, in.query, in.header} {
			if v, ok := m.Get(n); ok {
				return v, nil
			}
		}
		return "", nil
	}
	return nil, ErrNoMethod
}

type benchUtil struct{}

func (benchUtil) Property(string) (any, bool) { return nil, false }

func (benchUtil) Call(name string, args []any) (any, error) {
	if name != "escapeJavaScript" || len(args) != 1 {
		return nil, ErrNoMethod
	}
	s, ok := args[0].(string)
	if !ok {
		return args[0], nil
	}
	if !strings.ContainsAny(s, `"'\/`) {
		return args[0], nil
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '\\', '/':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

// benchScope resolves the root variables with a switch, no map.
type benchScope struct {
	input   *benchInput
	context *Map
}

func (s *benchScope) Lookup(name string) (any, bool) {
	switch name {
	case "input":
		return s.input, true
	case "util":
		return benchUtil{}, true
	case "context":
		return s.context, true
	}
	return nil, false
}

func newBenchScope(t testing.TB) *benchScope {
	root := fromJSON(t, benchBody).(*Map)
	items, _ := root.Get("items")
	in := &benchInput{root: root, items: items, body: benchBody,
		path: kv("id", "42"), query: kv("q", "search term"),
		header: kv("Host", "127.0.0.1:3000", "User-Agent", `bench/1.0 "quoted"`, "Content-Type", "application/json", "Accept", "*/*")}
	p := NewMap(3)
	p.Put("path", in.path)
	p.Put("querystring", in.query)
	p.Put("header", in.header)
	in.params = p
	ctx := kv("apiId", "offlineContext_apiId", "httpMethod", "POST", "requestId", "req-1", "resourcePath", "/orders/{id}", "stage", "dev")
	return &benchScope{input: in, context: ctx}
}

func TestBenchTemplateOutput(t *testing.T) {
	t.Parallel()
	tpl, err := Parse(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.RenderString(newBenchScope(t), Options{NullAsEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "body": ` + benchBody + `,
  "q": "search term",
  "id": "42",
  "ua": "bench\/1.0 \"quoted\"",
  "items": ["apple","banana","cherry","date","elder"],
  "count": 5,
  "stage": "dev",
  "requestId": "req-1",
  "method": "POST",
  "headers": {
        "Host": "127.0.0.1:3000",        "User-Agent": "bench\/1.0 \"quoted\"",        "Content-Type": "application\/json",        "Accept": "*\/*"      }
}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// identityUtil is a $util whose escapeJavaScript returns its argument,
// so that only the engine's own allocations are counted.
type identityUtil struct{}

func (identityUtil) Property(string) (any, bool)            { return nil, false }
func (identityUtil) Call(_ string, args []any) (any, error) { return args[0], nil }

type engineOnlyScope struct{ *benchScope }

func (s engineOnlyScope) Lookup(name string) (any, bool) {
	if name == "util" {
		return identityUtil{}, true
	}
	return s.benchScope.Lookup(name)
}

// The engine's share of the end-to-end budget (≤ 40 allocations per
// render, owned by internal/mapping) is zero: everything it needs is
// resolved at parse time or pooled. The benchmark's host objects add 8
// (escapeJavaScript results).
const (
	engineAllocBudget   = 0
	withHostAllocBudget = 8
)

func TestRenderAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	tpl, err := Parse(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		sc     Scope
		budget int
	}{
		{"engine only", engineOnlyScope{newBenchScope(t)}, engineAllocBudget},
		{"with host objects", newBenchScope(t), withHostAllocBudget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			b.Grow(4096)
			n := testing.AllocsPerRun(200, func() {
				b.Reset()
				if err := tpl.Render(&b, tc.sc, Options{NullAsEmpty: true}); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%.1f allocs per render", n)
			if n > float64(tc.budget) {
				t.Errorf("%.1f allocs per render, budget %d", n, tc.budget)
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	tpl, err := Parse(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	sc := newBenchScope(b)
	var buf bytes.Buffer
	buf.Grow(4096)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := tpl.Render(&buf, sc, Options{NullAsEmpty: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchTemplate); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderEngineOnly is BenchmarkRender with an escapeJavaScript
// that returns its argument: the engine's own cost.
func BenchmarkRenderEngineOnly(b *testing.B) {
	tpl, err := Parse(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	sc := engineOnlyScope{newBenchScope(b)}
	var buf bytes.Buffer
	buf.Grow(4096)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := tpl.Render(&buf, sc, Options{NullAsEmpty: true}); err != nil {
			b.Fatal(err)
		}
	}
}
