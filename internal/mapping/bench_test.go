package mapping

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/jsonpath"
)

// velocityjsTemplate is the TEMPLATE of
// /work/shared/bench-peers/velocityjs_bench.js, so Portico and velocityjs
// are measured on the same work.
const velocityjsTemplate = `#set($inputRoot = $input.path('$'))
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

// velocityjsBody is the script's RAW_BODY (JSON.stringify output).
const velocityjsBody = `{"items":[{"name":"apple","qty":1},{"name":"banana","qty":2},{"name":"cherry","qty":3},{"name":"date","qty":4},{"name":"elder","qty":5}],"note":"hello \"world\""}`

var (
	benchHeaders = Params{{"Host", "127.0.0.1:3000"}, {"User-Agent", `bench/1.0 "quoted"`}, {"Content-Type", "application/json"}, {"Accept", "*/*"}}
	benchPath    = Params{{"id", "42"}}
	benchQuery   = Params{{"q", "search term"}}
	benchBody    = []byte(velocityjsBody)
)

// fillBenchRequest builds the request context of the script's REQ into
// req and ctx, reusing their storage as the pipeline's pooled exchange
// does.
func fillBenchRequest(req *Request, ctx *Context, n int) {
	*ctx = Context{APIID: "offlineContext_apiId", HTTPMethod: "POST", RequestID: "req-" + string(rune('0'+n%10)),
		ResourcePath: "/orders/{id}", Stage: "dev", RequestTime: time.Unix(1700000000, 0),
		Identity: Identity{SourceIP: "127.0.0.1", UserAgent: `bench/1.0 "quoted"`}}
	req.Reset()
	req.Method, req.ResourcePath, req.Path = "POST", "/orders/{id}", "/orders/42"
	req.PathParams = append(req.PathParams, benchPath...)
	req.Query = append(req.Query, benchQuery...)
	req.Headers = append(req.Headers, benchHeaders...)
	req.Body = benchBody
	req.Context = ctx
}

func BenchmarkVelocityjsTemplate(b *testing.B) {
	tpl, err := CompileTemplate(velocityjsTemplate)
	if err != nil {
		b.Fatal(err)
	}
	var req Request
	var ctx Context
	var buf bytes.Buffer
	var dec jsonpath.Decoder
	// portico serve runs with GOGC=400 (cmd/portico); measure the same.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		fillBenchRequest(&req, &ctx, n)
		buf.Reset()
		if err := tpl.RenderRequest(&buf, &req, nil); err != nil {
			b.Fatal(err)
		}
		// Parse the output as JSON, as the script's JSON.parse does: the
		// whole text is validated, its strings unescaped and its numbers
		// converted into a document that can be navigated (the parse
		// $input.json and $input.path use). The previous output's
		// document is dropped, so the decoder reuses its storage, as a
		// request reuses its body decoder once it has ended.
		dec.Reset()
		if _, err := dec.ParseBytes(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVelocityjsRender is the render alone (context building
// included, output parsing excluded).
func BenchmarkVelocityjsRender(b *testing.B) {
	tpl, err := CompileTemplate(velocityjsTemplate)
	if err != nil {
		b.Fatal(err)
	}
	var req Request
	var ctx Context
	var buf bytes.Buffer
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		fillBenchRequest(&req, &ctx, n)
		buf.Reset()
		if err := tpl.RenderRequest(&buf, &req, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVelocityjsTemplateOutput checks the benchmark renders what the
// velocityjs script checks (checkOnce).
func TestVelocityjsTemplateOutput(t *testing.T) {
	t.Parallel()
	out := velocityjsOutput(t)
	var v struct {
		Items   []string
		Count   int
		Q       string `json:"q"`
		ID      string `json:"id"`
		UA      string `json:"ua"`
		Body    struct{ Note string }
		Headers map[string]string
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(v.Items) != 5 || v.Items[4] != "elder" || v.Count != 5 || v.Q != "search term" || v.Body.Note != `hello "world"` || v.Headers["Accept"] != "*/*" {
		t.Errorf("unexpected output %+v\n%s", v, out)
	}
}

// renderAllocBudget is the promised allocation budget of one render of
// the velocityjs template, request context included.
const renderAllocBudget = 40

func TestVelocityjsTemplateAllocs(t *testing.T) {
	tpl, err := CompileTemplate(velocityjsTemplate)
	if err != nil {
		t.Fatal(err)
	}
	var req Request
	var ctx Context
	var buf bytes.Buffer
	n := 0
	allocs := testing.AllocsPerRun(200, func() {
		n++
		fillBenchRequest(&req, &ctx, n)
		buf.Reset()
		if err := tpl.RenderRequest(&buf, &req, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%.0f allocations per render", allocs)
	if allocs > renderAllocBudget {
		t.Errorf("%.0f allocations per render, budget %d", allocs, renderAllocBudget)
	}
}

// TestConcurrentRenders renders one compiled template from several
// goroutines, each with its own request (run with -race).
func TestConcurrentRenders(t *testing.T) {
	t.Parallel()
	tpl, err := CompileTemplate(velocityjsTemplate)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			var req Request
			var ctx Context
			var buf bytes.Buffer
			for i := 0; i < 50; i++ {
				fillBenchRequest(&req, &ctx, 1)
				buf.Reset()
				if err := tpl.RenderRequest(&buf, &req, nil); err != nil {
					done <- err.Error()
					return
				}
			}
			done <- buf.String()
		}()
	}
	first := <-done
	for g := 1; g < 8; g++ {
		if got := <-done; got != first {
			t.Fatalf("renders differ:\n%s\n%s", first, got)
		}
	}
}

// velocityjsOutput renders the velocityjs template for the script's
// request once.
func velocityjsOutput(tb testing.TB) string {
	tb.Helper()
	tpl, err := CompileTemplate(velocityjsTemplate)
	if err != nil {
		tb.Fatal(err)
	}
	var req Request
	var ctx Context
	fillBenchRequest(&req, &ctx, 1)
	var buf bytes.Buffer
	if err := tpl.RenderRequest(&buf, &req, nil); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

// BenchmarkVelocityjsDecodeOutput is the output parsing of
// BenchmarkVelocityjsTemplate alone.
func BenchmarkVelocityjsDecodeOutput(b *testing.B) {
	benchDecodeOutput(b, func(dec *jsonpath.Decoder, out string) error {
		_, err := dec.Parse(out)
		return err
	})
}

// BenchmarkVelocityjsDecodeOutputValues is the output parsing with
// every value of the document built as template values.
func BenchmarkVelocityjsDecodeOutputValues(b *testing.B) {
	benchDecodeOutput(b, func(dec *jsonpath.Decoder, out string) error {
		_, _, err := dec.DecodeCanonical(out)
		return err
	})
}

func benchDecodeOutput(b *testing.B, decode func(dec *jsonpath.Decoder, out string) error) {
	out := velocityjsOutput(b)
	var dec jsonpath.Decoder
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		dec.Reset()
		if err := decode(&dec, out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRequestReset checks that a reset Request renders like a fresh one:
// nothing derived from the previous request survives Reset.
func TestRequestReset(t *testing.T) {
	t.Parallel()
	tpl, err := CompileTemplate(velocityjsTemplate + `$input.params() $stageVariables $input.params().path.keySet() $input.body`)
	if err != nil {
		t.Fatal(err)
	}
	var req, fresh Request
	var ctx, fctx Context
	fillBenchRequest(&req, &ctx, 1)
	req.StageVariables = append(req.StageVariables, Param{"a", "1"})
	var buf bytes.Buffer
	if err := tpl.RenderRequest(&buf, &req, nil); err != nil {
		t.Fatal(err)
	}
	second := func(r *Request, c *Context) string {
		fillBenchRequest(r, c, 2)
		r.Headers = r.Headers[:2]
		r.PathParams = append(r.PathParams, Param{"x", "y"})
		r.Body = []byte(`{"items":[{"name":"fig"}],"note":"other"}`)
		var b bytes.Buffer
		if err := tpl.RenderRequest(&b, r, nil); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got, want := second(&req, &ctx), second(&fresh, &fctx); got != want {
		t.Errorf("after Reset:\n%s\nfresh:\n%s", got, want)
	}
}

// TestPathCacheRecent checks that the address-keyed fast path of
// PathCache never confuses two paths: literals, strings built at run
// time with the same text, and different paths that share a slot.
func TestPathCacheRecent(t *testing.T) {
	t.Parallel()
	var c PathCache
	doc, err := jsonpath.DecodeString(`{"a":1,"b":2,"ab":3}`)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		for _, name := range []string{"a", "b", "ab"} {
			src := string(append([]byte("$."), name...)) // a fresh string each time
			for _, s := range []string{src, "$." + name, src} {
				p, err := c.Compile(s)
				if err != nil {
					t.Fatal(err)
				}
				v, _ := p.Get(doc)
				want, _ := jsonpath.MustCompile(s).Get(doc)
				if v != want {
					t.Errorf("vtl.md §2 path %s gives %v, want %v", s, v, want)
				}
			}
		}
	}
}

// TestRenderResponseBodies checks that response templates of one request
// read the body they are given (integrations-v1.md §13.6), though its
// parse is kept in the Request.
func TestRenderResponseBodies(t *testing.T) {
	t.Parallel()
	tpl, err := CompileTemplate(`$input.path('$.a') $input.json('$') $input.body`)
	if err != nil {
		t.Fatal(err)
	}
	req := testRequest()
	for _, tc := range []struct{ body, want string }{
		{`{"a":1}`, `1 {"a":1} {"a":1}`},
		{`{"a":1}`, `1 {"a":1} {"a":1}`},
		{`{"a": [2]}`, `[2] {"a":[2]} {"a": [2]}`},
		{``, ` {} {}`},
		{`{"a":"x"}`, `x {"a":"x"} {"a":"x"}`},
	} {
		var buf bytes.Buffer
		if err := tpl.RenderResponse(&buf, req, []byte(tc.body), nil); err != nil || buf.String() != tc.want {
			t.Errorf("integrations-v1.md §13.6 body %s renders %q, %v; want %q", tc.body, buf.String(), err, tc.want)
		}
	}
	// A buffer rewritten in place is another body.
	body := []byte(`{"a":1}`)
	for _, want := range []string{`1 {"a":1} {"a":1}`, `2 {"a":2} {"a":2}`} {
		var buf bytes.Buffer
		if err := tpl.RenderResponse(&buf, req, body, nil); err != nil || buf.String() != want {
			t.Errorf("integrations-v1.md §13.6 rewritten body renders %q, %v; want %q", buf.String(), err, want)
		}
		body[5] = '2'
	}
}
