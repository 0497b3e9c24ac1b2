package mapping

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// FuzzRequestParameters parses REST source expressions and target keys
// (integrations-v1.md §6) and evaluates whatever compiles.
func FuzzRequestParameters(f *testing.F) {
	for _, s := range []string{"method.request.path.petId", "method.request.body.petstore.pets[0].name", "method.request.multivaluequerystring.tag",
		"context.identity.sourceIp", "stageVariables.env", "'static'", "method.request.body", "integration.response.body.a"} {
		f.Add("integration.request.header.x", s, `{"petstore":{"pets":[{"name":"rex"}]}}`)
	}
	f.Fuzz(func(t *testing.T, key, src, body string) {
		params := map[string]string{key: src}
		m, err := CompileRequestParameters(params, "HTTP")
		if (err == nil) != (ValidateRequestParameters(params, nil) == nil) {
			t.Fatalf("Compile and Validate disagree on %q → %q", key, src)
		}
		if err != nil {
			return
		}
		req := testRequest()
		req.Body = []byte(body)
		var out Mapped
		_ = m.Map(req, &out)
		if rm, err := CompileResponseParameters(map[string]string{"method.response.header.x": src}, nil); err == nil {
			var h Params
			rm.Map(req, &IntegrationResponse{Body: []byte(body)}, &h)
		}
	})
}

// FuzzV2Parameters parses HTTP API mapping keys and value expressions
// (integrations-v2.md §5, §6) and applies whatever compiles.
func FuzzV2Parameters(f *testing.F) {
	for _, v := range []string{"$context.requestId", "Bearer ${request.header.x}", "${request.body.a[0]}-$stageVariables.s", `\$default`, "$request.path", "${x"} {
		f.Add("append:header.h", v, `{"a":[1]}`)
	}
	f.Add("overwrite:path", "/x/$request.path.id", "")
	f.Add("overwrite:statuscode", "404", "")
	f.Fuzz(func(t *testing.T, key, val, body string) {
		req := testRequest()
		req.Body = []byte(body)
		if m, err := CompileV2RequestParameters(map[string]string{key: val}); err == nil {
			out := V2Outgoing{Headers: append(Params(nil), req.Headers...)}
			m.Apply(req, &out)
		}
		if m, err := CompileV2ResponseParameters(map[string]map[string]string{"200": {key: val}}); err == nil {
			out := V2Response{Status: 200}
			m.Apply(req, &IntegrationResponse{Body: []byte(body)}, &out)
			if out.Status < 100 || out.Status > 599 {
				t.Fatalf("status %d", out.Status)
			}
		}
	})
}

// FuzzTemplate compiles templates and renders them against a request
// with every binding in use.
func FuzzTemplate(f *testing.F) {
	for _, ex := range loadExamples(f) {
		f.Add(ex.Template, ex.Body)
	}
	f.Add(velocityjsTemplate, velocityjsBody)
	// A Request reused from one input to the next, as the pipeline pools
	// them, must render exactly as a fresh one.
	var mu sync.Mutex
	var reused Request
	f.Fuzz(func(t *testing.T, src, body string) {
		tpl, err := CompileTemplate(src)
		if err != nil {
			return
		}
		req := testRequest()
		req.Body = []byte(body)
		var ov Overrides
		var buf bytes.Buffer
		errReq := tpl.RenderRequest(&buf, req, &ov)
		fresh := buf.String()
		// vtl's reference evaluator renders the same through Portico's
		// bindings.
		checkReference(t, tpl, body, fresh, errReq)
		buf.Reset()
		_ = tpl.RenderResponse(&buf, req, []byte(body), &ov)

		mu.Lock()
		defer mu.Unlock()
		reused.Reset()
		r := testRequest()
		reused.Method, reused.Path, reused.ResourcePath = r.Method, r.Path, r.ResourcePath
		reused.PathParams = append(reused.PathParams, r.PathParams...)
		reused.Query = append(reused.Query, r.Query...)
		reused.Headers = append(reused.Headers, r.Headers...)
		reused.StageVariables = append(reused.StageVariables, r.StageVariables...)
		reused.Body, reused.Context = []byte(body), r.Context
		var ov2 Overrides
		buf.Reset()
		err = tpl.RenderRequest(&buf, &reused, &ov2)
		// Host objects without a Java string form ($input itself) print
		// with their addresses, which differ between the two requests.
		if (err == nil) != (errReq == nil) || (buf.String() != fresh && !strings.Contains(fresh, "0x")) {
			t.Fatalf("reused request renders %q, %v; fresh %q, %v", buf.String(), err, fresh, errReq)
		}
		buf.Reset()
		_ = tpl.RenderResponse(&buf, &reused, []byte(body), &ov2)
	})
}

// checkReference renders tpl for a fresh test request with body through
// vtl's reference evaluator and fails unless it gives out and err.
func checkReference(t *testing.T, tpl *Template, body, out string, err error) {
	t.Helper()
	req := testRequest()
	req.Body = []byte(body)
	var ov Overrides
	var buf bytes.Buffer
	errRef := tpl.render(&buf, req, req.Body, &req.body, &ov, true)
	if buf.String() != out && !strings.Contains(out, "0x") || fmt.Sprint(errRef) != fmt.Sprint(err) {
		t.Fatalf("compiled render %q, %v; reference %q, %v", out, err, buf.String(), errRef)
	}
}

// TestCompiledBindings renders the spec examples and the velocityjs
// template with the compiled form, Portico's bindings included, and
// with vtl's reference evaluator (vtl.md worked examples).
func TestCompiledBindings(t *testing.T) {
	t.Parallel()
	cases := [][2]string{{velocityjsTemplate, velocityjsBody}, {velocityjsTemplate, ""}, {velocityjsTemplate, "[1]"}}
	for _, ex := range loadExamples(t) {
		cases = append(cases, [2]string{ex.Template, ex.Body})
	}
	for _, c := range cases {
		tpl, err := CompileTemplate(c[0])
		if err != nil {
			continue
		}
		req := testRequest()
		req.Body = []byte(c[1])
		var ov Overrides
		var buf bytes.Buffer
		err = tpl.RenderRequest(&buf, req, &ov)
		checkReference(t, tpl, c[1], buf.String(), err)
	}
}

// FuzzMediaType checks template selection never panics and that a
// selected key is one of the keys.
func FuzzMediaType(f *testing.F) {
	f.Add("application/json; charset=utf-8", "application/json")
	f.Add("", "text/plain")
	f.Fuzz(func(t *testing.T, ct, key string) {
		keys := []string{key, "application/json"}
		if k, d := SelectRequestTemplate(ct, keys, Never); d == Transform && k != key && k != "application/json" {
			t.Fatalf("selected %q", k)
		}
		if k, ok := SelectResponseTemplate(ct, keys); !ok || (k != key && k != "application/json") {
			t.Fatalf("selected %q", k)
		}
	})
}
