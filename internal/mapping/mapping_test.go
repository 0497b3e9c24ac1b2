package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/portico-dev/portico/internal/vtl"
)

func testRequest() *Request {
	return &Request{
		Method: "POST", Path: "/pets/7", ResourcePath: "/pets/{petId}",
		PathParams:     Params{{"petId", "7"}},
		Query:          Params{{"type", "dog"}, {"tag", "a"}, {"tag", "b"}},
		Headers:        Params{{"Accept", "application/json"}, {"X-Multi", "1"}, {"X-Multi", "2"}, {"Content-Type", "application/json"}},
		Body:           []byte(`{"petstore":{"pets":[{"name":"rex","age":3}]},"n":1.5,"obj":{"a":[1,2]}}`),
		StageVariables: Params{{"env", "prod"}, {"host", "example.com"}},
		Context: &Context{
			RequestID: "req-1", ExtendedRequestID: "ext-1", AccountID: "123456789012", APIID: "a1b2c3d4e5", DeploymentID: "dep1",
			DomainName: "a1b2c3d4e5.execute-api.local", DomainPrefix: "a1b2c3d4e5", HTTPMethod: "POST", Path: "/prod/pets/7",
			Protocol: "HTTP/1.1", ResourceID: "res1", ResourcePath: "/pets/{petId}", Stage: "prod",
			RequestTime: time.Date(2026, 11, 21, 23, 5, 9, 0, time.FixedZone("", 0)),
			Identity:    Identity{SourceIP: "192.0.2.1", UserAgent: "curl/8.0", APIKey: "k3y"},
			Authorizer:  authorizerMap(),
			Error:       ErrorInfo{Message: "Missing Authentication Token", ResponseType: "MISSING_AUTHENTICATION_TOKEN"},
			Vars:        Params{{"routeKey", "POST /pets/{petId}"}},
		},
	}
}

func authorizerMap() *vtl.Map {
	m := vtl.NewMap(3)
	m.Put("principalId", "user-1")
	claims := vtl.NewMap(1)
	claims.Put("sub", "abc")
	m.Put("claims", claims)
	m.Put("tier", "gold")
	return m
}

func render(t *testing.T, src string, req *Request, ov *Overrides) (string, error) {
	t.Helper()
	tpl, err := CompileTemplate(src)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = tpl.RenderRequest(&b, req, ov)
	return b.String(), err
}

func TestContextVariables(t *testing.T) {
	t.Parallel()
	req := testRequest()
	for _, tc := range []struct{ name, want string }{
		{"requestId", "req-1"}, {"extendedRequestId", "ext-1"}, {"accountId", "123456789012"}, {"apiId", "a1b2c3d4e5"},
		{"deploymentId", "dep1"}, {"domainName", "a1b2c3d4e5.execute-api.local"}, {"domainPrefix", "a1b2c3d4e5"},
		{"httpMethod", "POST"}, {"path", "/prod/pets/7"}, {"protocol", "HTTP/1.1"}, {"resourceId", "res1"},
		{"resourcePath", "/pets/{petId}"}, {"stage", "prod"}, {"requestTime", "21/Nov/2026:23:05:09 +0000"},
		{"requestTimeEpoch", "1795302309000"}, {"identity.sourceIp", "192.0.2.1"}, {"identity.userAgent", "curl/8.0"},
		{"identity.apiKey", "k3y"}, {"identity.caller", ""}, {"identity.userArn", ""}, {"authorizer.principalId", "user-1"},
		{"authorizer.claims.sub", "abc"}, {"authorizer.tier", "gold"}, {"error.message", "Missing Authentication Token"},
		{"error.messageString", `"Missing Authentication Token"`}, {"error.responseType", "MISSING_AUTHENTICATION_TOKEN"},
		{"routeKey", "POST /pets/{petId}"}, {"nope", ""}, {"isCanaryRequest", "false"},
	} {
		t.Run("vtl.md §4 "+tc.name, func(t *testing.T) {
			got, err := render(t, "$context."+tc.name, req, nil)
			if err != nil || got != tc.want {
				t.Errorf("$context.%s = %q, %v; want %q", tc.name, got, err, tc.want)
			}
			if tc.want != "" && tc.name != "isCanaryRequest" {
				if v, ok := req.Context.Lookup(tc.name); !ok || v != tc.want {
					t.Errorf("Lookup(%s) = %q, %v", tc.name, v, ok)
				}
			}
		})
	}
}

func TestInputAndUtil(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, tpl, want string }{
		{"§2 params(x) path first", "$input.params('petId')", "7"},
		{"§2 params(x) query", "$input.params('type')", "dog"},
		{"§2 params(x) repeated query gives the last", "$input.params('tag')", "b"},
		{"§2 params(x) header case-insensitive", "$input.params('accept')", "application/json"},
		{"§2 params(x) absent is empty", "[$input.params('zzz')]", "[]"},
		{"§2 params() keys", "$input.params().keySet()", "[path, querystring, header]"},
		{"§2 params().header.get", "$input.params().header.get('Accept')", "application/json"},
		{"§2 params().querystring", "$input.params().querystring", "{type=dog, tag=b}"},
		{"§2 json string is quoted", "$input.json('$.petstore.pets[0].name')", `"rex"`},
		{"§2 json object is compact", "$input.json('$.obj')", `{"a":[1,2]}`},
		{"§2 json decimal", "$input.json('$.n')", `1.5`},
		{"§2 json no match", "$input.json('$.zzz')", `""`},
		{"§2 path list size", "$input.path('$.petstore.pets').size()", "1"},
		{"§2 path object property", "$input.path('$.petstore.pets[0]').age", "3"},
		{"§2 body", "$input.body", `{"petstore":{"pets":[{"name":"rex","age":3}]},"n":1.5,"obj":{"a":[1,2]}}`},
		{"§3 escapeJavaScript", `$util.escapeJavaScript('a"b/c')`, `a\"b\/c`},
		{"§3 escapeJavaScript null", "[$util.escapeJavaScript($nothing)]", "[]"},
		{"§3 urlEncode", "$util.urlEncode('a b*~é')", "a+b*%7E%C3%A9"},
		{"§3 urlDecode", "$util.urlDecode('a+b%2B%C3%A9')", "a b+é"},
		{"§3 base64", "$util.base64Encode('é')|$util.base64Decode('w6k=')", "w6k=|é"},
		{"§3 parseJson", `$util.parseJson('{"a":[1,{"b":2.50}]}').a[1].b`, "2.5"},
		{"§5 stageVariables", "$stageVariables.env ${stageVariables['host']} $stageVariables.keySet()", "prod example.com [env, host]"},
	} {
		t.Run("vtl.md "+tc.name, func(t *testing.T) {
			got, err := render(t, tc.tpl, testRequest(), nil)
			if err != nil || got != tc.want {
				t.Errorf("%s = %q, %v; want %q", tc.tpl, got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"$util.parseJson('{')", "$util.urlDecode('%zz')", "$util.base64Decode('!!')", "$input.path('$[')"} {
		if _, err := render(t, bad, testRequest(), nil); err == nil {
			t.Errorf("%s: want a render error", bad)
		}
	}
}

// TestJSPlain checks the word-at-a-time scan for the bytes
// escapeJavaScript changes (vtl.md §3) against a byte loop, with each
// special byte at every position of strings of up to 20 bytes.
func TestJSPlain(t *testing.T) {
	t.Parallel()
	special := func(c byte) bool {
		return c < 0x20 || c >= 0x7F || c == '\\' || c == '"' || c == '\'' || c == '/'
	}
	for n := 0; n <= 20; n++ {
		for pos := 0; pos <= n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("a", n))
				if pos < n {
					b[pos] = byte(c)
				}
				if pos+1 < n {
					b[n-1] = 0x1f // a later special byte must not hide the first
				}
				want := 0
				for want < len(b) && !special(b[want]) {
					want++
				}
				if got := jsPlain(string(b)); got != want {
					t.Fatalf("vtl.md §3 plain prefix of %q is %d, want %d", b, got, want)
				}
				if n == 8 {
					// Every mark of the exact form is its byte's own.
					m := jsSpecialExact(word8(string(b), 0))
					for i := range 8 {
						if got := m>>(8*i+7)&1 == 1; got != special(b[i]) {
							t.Fatalf("vtl.md §3 exact mark of byte %d of %q is %v", i, b, got)
						}
					}
				}
			}
		}
	}
}

func TestEscapeJavaScript(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a'b"c/d\e`, `a\'b\"c\/d\\e`},
		{"\b\f\n\r\t", `\b\f\n\r\t`},
		{"\u0001\u001f", `\u0001\u001F`},
		{"\u007f é €", `\u007F \u00E9 \u20AC`},
		{"\U0001F600", `\uD83D\uDE00`},
		{"a\xffb/é", `a\uFFFDb\/\u00E9`},
		{"bench/1.0 \"quoted\"", `bench\/1.0 \"quoted\"`},
	} {
		if got := EscapeJavaScript(tc.in); got != tc.want {
			t.Errorf("vtl.md §3 escapeJavaScript(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// Rendered in text the result is written straight to the output;
		// assigned, it is a string value: both must agree.
		req := testRequest()
		req.StageVariables = Params{{"s", tc.in}}
		got, err := render(t, `$util.escapeJavaScript($stageVariables.s)|#set($e = $util.escapeJavaScript($stageVariables.s))$e|$util.escapeJavaScript($stageVariables.s).length()`, req, nil)
		if want := tc.want + "|" + tc.want + "|" + strconv.Itoa(len([]rune(tc.want))); err != nil || got != want {
			t.Errorf("vtl.md §3 rendered escapeJavaScript(%q) = %q, %v; want %q", tc.in, got, err, want)
		}
	}
}

// escapeJavaScriptByRune is vtl.md §3's escapeJavaScript character by
// character, the reference the word-at-a-time escaper is checked with.
func escapeJavaScriptByRune(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '\\', '"', '\'', '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\b', '\f', '\n', '\r', '\t':
			b.WriteString(map[rune]string{'\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}[r])
		default:
			if r >= 0x20 && r < 0x7F {
				b.WriteRune(r)
				continue
			}
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
		}
	}
	return b.String()
}

// FuzzEscapeJavaScript checks the escaper, which copies and scans eight
// bytes at a time, against the character by character reference,
// appending to a buffer that already holds text, with and without
// spare room.
func FuzzEscapeJavaScript(f *testing.F) {
	for _, s := range []string{"plain", `a'b"c/d\e`, "\b\f\n\r\t\u0001", "\u007f é € \U0001F600", "a\xffb/é", "bench/1.0 \"quoted\"", "0123456789abcdef/0123456789\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := escapeJavaScriptByRune(s)
		for _, room := range []int{0, 3, 64} {
			b := append(make([]byte, 0, 1+room), 'x')
			if got := string(appendEscapeJavaScript(b, s)); got != "x"+want {
				t.Fatalf("vtl.md §3 escapeJavaScript(%q) = %q, want %q", s, got[1:], want)
			}
		}
	})
}

func TestEmptyBodyIsEmptyObject(t *testing.T) {
	t.Parallel()
	req := testRequest()
	req.Body = nil
	got, err := render(t, "$input.body|$input.json('$')|$input.path('$').size()", req, nil)
	if err != nil || got != "{}|{}|0" {
		t.Errorf("vtl.md §2 empty body: got %q, %v", got, err)
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	var ov Overrides
	_, err := render(t, `#set($context.requestOverride.querystring.q = "x")#set($context.requestOverride.path.p = 5)`, testRequest(), &ov)
	if err != nil || len(ov.RequestQuery) != 1 || ov.RequestQuery[0].Values[0] != "x" || ov.RequestPath[0].Values[0] != "5" {
		t.Errorf("vtl.md §6 request overrides: %+v, %v", ov, err)
	}
	ov.Reset()
	_, err = render(t, `#set($context.requestOverride.header.h = "1")#set($context.requestOverride.header.h = "2")`, testRequest(), &ov)
	if !errors.Is(err, ErrOverrideTwice) {
		t.Errorf("vtl.md §6 the same override twice: err = %v, want ErrOverrideTwice", err)
	}
	ov.Reset()
	tpl, _ := CompileTemplate(`#set($context.responseOverride.status = 700)#set($context.responseOverride.header.X-A = "v")$context.responseOverride.header.X-A`)
	var b bytes.Buffer
	if err := tpl.RenderResponse(&b, testRequest(), nil, &ov); err != nil || ov.Status != 0 || b.String() != "v" || ov.ResponseHeader[0].Name != "X-A" {
		t.Errorf("vtl.md §6 status outside 100..599 is ignored: %+v %q %v", ov, b.String(), err)
	}
}

func TestTemplateErrorsCarryPosition(t *testing.T) {
	t.Parallel()
	_, err := CompileTemplate("line1\n#if(\n")
	var pe *vtl.ParseError
	if !errors.As(err, &pe) || pe.Line == 0 {
		t.Errorf("parse error %v has no line:column", err)
	}
	tpl, err := CompileTemplate("ok\n  $util.parseJson('[')")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = tpl.RenderRequest(&b, testRequest(), nil)
	var re *vtl.RenderError
	if !errors.As(err, &re) || re.Line != 2 {
		t.Errorf("render error %v: want line 2", err)
	}
}

func TestSelectRequestTemplate(t *testing.T) {
	t.Parallel()
	json, xml := []string{"application/json"}, []string{"application/xml"}
	for _, tc := range []struct {
		name, ct string
		keys     []string
		behavior string
		want     Decision
		wantKey  string
	}{
		{"§8 no templates WHEN_NO_MATCH passes", "text/plain", nil, WhenNoMatch, PassThrough, ""},
		{"§8 no templates WHEN_NO_TEMPLATES passes", "text/plain", nil, WhenNoTemplates, PassThrough, ""},
		{"§8 no templates NEVER is 415", "text/plain", nil, Never, Unsupported, ""},
		{"§7 no Content-Type means application/json", "", json, Never, Transform, "application/json"},
		{"§7 parameters stripped", "Application/JSON; charset=UTF-8", json, Never, Transform, "application/json"},
		{"§8 json template, xml request, WHEN_NO_MATCH", "application/xml", json, WhenNoMatch, PassThrough, ""},
		{"§8 json template, xml request, WHEN_NO_TEMPLATES", "application/xml", json, WhenNoTemplates, Unsupported, ""},
		{"§8 json template, xml request, NEVER", "application/xml", json, Never, Unsupported, ""},
		{"§8 xml template, no Content-Type, WHEN_NO_MATCH", "", xml, WhenNoMatch, PassThrough, ""},
		{"§8 xml template, json request, NEVER", "application/json", xml, Never, Unsupported, ""},
		{"§8 xml template, xml request", "application/xml", xml, WhenNoTemplates, Transform, "application/xml"},
		{"§8 empty behaviour is WHEN_NO_MATCH", "text/csv", json, "", PassThrough, ""},
	} {
		t.Run("integrations-v1.md "+tc.name, func(t *testing.T) {
			key, d := SelectRequestTemplate(tc.ct, tc.keys, tc.behavior)
			if d != tc.want || key != tc.wantKey {
				t.Errorf("got %q %v, want %q %v", key, d, tc.wantKey, tc.want)
			}
		})
	}
}

func TestSelectResponseTemplate(t *testing.T) {
	t.Parallel()
	keys := []string{"application/xml", "application/json", "text/html"}
	for _, tc := range []struct{ name, accept, want string }{
		{"§13.6 first Accept type", "text/html, application/xml", "text/html"},
		{"§13.6 parameters stripped", "application/xml;q=0.9", "application/xml"},
		{"§13.6 no match falls back to application/json", "image/png", "application/json"},
		{"§13.6 no Accept falls back to application/json", "", "application/json"},
	} {
		if got, ok := SelectResponseTemplate(tc.accept, keys); !ok || got != tc.want {
			t.Errorf("integrations-v1.md %s: got %q", tc.name, got)
		}
	}
	if got, _ := SelectResponseTemplate("", []string{"text/plain", "application/xml"}); got != "text/plain" {
		t.Errorf("§13.6 else the first template: got %q", got)
	}
	if _, ok := SelectResponseTemplate("", nil); ok {
		t.Error("§13.6 no templates: body passes through")
	}
}

func TestRequestParameters(t *testing.T) {
	t.Parallel()
	params := map[string]string{
		"integration.request.path.id":            "method.request.path.petId",
		"integration.request.querystring.t":      "method.request.querystring.type",
		"integration.request.querystring.tags":   "method.request.multivaluequerystring.tag",
		"integration.request.querystring.last":   "method.request.querystring.tag",
		"integration.request.header.x-accept":    "method.request.header.Accept",
		"integration.request.header.x-case":      "method.request.header.accept",
		"integration.request.header.x-multi":     "method.request.multivalueheader.X-Multi",
		"integration.request.header.x-body":      "method.request.body",
		"integration.request.header.x-name":      "method.request.body.petstore.pets[0].name",
		"integration.request.header.x-obj":       "method.request.body.obj",
		"integration.request.header.x-missing":   "method.request.body.nope",
		"integration.request.header.x-req":       "context.requestId",
		"integration.request.header.x-ip":        "context.identity.sourceIp",
		"integration.request.header.x-principal": "context.authorizer.principalId",
		"integration.request.header.x-env":       "stageVariables.env",
		"integration.request.header.x-static":    "'application/json'",
		"integration.request.header.x-none":      "stageVariables.nope",
	}
	m, err := CompileRequestParameters(params, "HTTP")
	if err != nil {
		t.Fatal(err)
	}
	var out Mapped
	if err := m.Map(testRequest(), &out); err != nil {
		t.Fatal(err)
	}
	h := func(p Params, n string) string { v, _ := p.Last(n); return v }
	for _, tc := range []struct{ name, got, want string }{
		{"§6.2 path", h(out.Path, "id"), "7"},
		{"§6.2 querystring", h(out.Query, "t"), "dog"},
		{"§6.2 repeated querystring gives the last", h(out.Query, "last"), "b"},
		{"§6.2 multivaluequerystring repeats the target", strings.Join(out.Query.All("tags", false), "&"), "a&b"},
		{"§6.2 header", h(out.Headers, "x-accept"), "application/json"},
		{"§6.2 header lookup is case-sensitive", h(out.Headers, "x-case"), ""},
		{"§6.2 multivalueheader joins with ,", h(out.Headers, "x-multi"), "1,2"},
		{"§6.2 body", h(out.Headers, "x-body"), string(testRequest().Body)},
		{"§6.2 body JSONPath", h(out.Headers, "x-name"), "rex"},
		{"§13.4 objects as compact JSON", h(out.Headers, "x-obj"), `{"a":[1,2]}`},
		{"§6.2 context", h(out.Headers, "x-req"), "req-1"},
		{"§6.2 context identity", h(out.Headers, "x-ip"), "192.0.2.1"},
		{"§6.2 context authorizer", h(out.Headers, "x-principal"), "user-1"},
		{"§6.2 stageVariables", h(out.Headers, "x-env"), "prod"},
		{"§6.2 static", h(out.Headers, "x-static"), "application/json"},
	} {
		if tc.got != tc.want {
			t.Errorf("integrations-v1.md %s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	for _, n := range []string{"x-missing", "x-none", "x-case"} {
		if _, ok := out.Headers.Last(n); ok {
			t.Errorf("§6.2 null/empty source %s must be omitted", n)
		}
	}

	bodyMap, _ := CompileRequestParameters(map[string]string{"integration.request.header.x": "method.request.body.a"}, "HTTP")
	for _, tc := range []struct {
		body    string
		wantErr error
	}{{`{"a":`, ErrInvalidJSONBody}, {`'x`, ErrInvalidJSONBody}, {`plain text`, nil}, {``, nil}} {
		r := testRequest()
		r.Body = []byte(tc.body)
		var o Mapped
		if err := bodyMap.Map(r, &o); !errors.Is(err, tc.wantErr) {
			t.Errorf("§6.2 body %q: err %v, want %v", tc.body, err, tc.wantErr)
		}
	}
	forb, err := CompileRequestParameters(map[string]string{"integration.request.header.Authorization": "'x'"}, "AWS")
	if err != nil {
		t.Fatal(err)
	}
	if err := forb.Map(testRequest(), &out); !errors.Is(err, ErrForbiddenHeader) {
		t.Errorf("§6.4 Authorization on AWS: err %v", err)
	}
	if ok, _ := CompileRequestParameters(map[string]string{"integration.request.header.Authorization": "'x'"}, "HTTP"); ok.Map(testRequest(), &out) != nil {
		t.Error("§6.4 Authorization is allowed for HTTP")
	}
}

func TestValidateRequestParameters(t *testing.T) {
	t.Parallel()
	declared := func(p string) bool { return p == "method.request.path.petId" || p == "method.request.header.h" }
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"valid", map[string]string{"integration.request.path.id": "method.request.path.petId", "integration.request.header.a": "method.request.multivalueheader.h", "integration.request.header.b": "'s'"}, ""},
		{"§16 bad expression", map[string]string{"integration.request.header.a": "true"}, "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: true]"},
		{"§6.2 undeclared parameter (AWS names it a parameter)", map[string]string{"integration.request.header.a": "method.request.querystring.q"}, "errors : [Invalid mapping expression parameter specified: method.request.querystring.q]"},
		{"§6.1 bad target", map[string]string{"integration.request.body.a": "'x'"}, "Invalid mapping expression parameter specified: integration.request.body.a"},
		{"§6.2 bad name", map[string]string{"integration.request.header.a b": "'x'"}, "integration.request.header.a b"},
		{"§6.2 response source in a request", map[string]string{"integration.request.header.a": "integration.response.body"}, "integration.response.body"},
	} {
		err := ValidateRequestParameters(tc.params, declared)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("integrations-v1.md %s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestResponseParameters(t *testing.T) {
	t.Parallel()
	m, err := CompileResponseParameters(map[string]string{
		"method.response.header.A": "integration.response.header.x-a",
		"method.response.header.B": "integration.response.multivalueheader.x-b",
		"method.response.header.C": "integration.response.body",
		"method.response.header.D": "integration.response.body.errorMessage.errorType",
		"method.response.header.E": "'*'",
		"method.response.header.F": "context.requestId",
		"method.response.header.G": "stageVariables.env",
		"method.response.header.H": "integration.response.body.errorType",
		"method.response.header.I": "integration.response.header.missing",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"errorMessage":"{\"errorType\":\"Bad\"}","errorType":"Error"}`
	var out Params
	m.Map(testRequest(), &IntegrationResponse{Headers: Params{{"X-A", "1"}, {"x-b", "1"}, {"X-B", "2"}}, Body: []byte(body)}, &out)
	for _, tc := range []struct{ h, want string }{
		{"A", "1"}, {"B", "1,2"}, {"C", body}, {"D", "Bad"}, {"E", "*"}, {"F", "req-1"}, {"G", "prod"}, {"H", "Error"},
	} {
		if got, _ := out.Last(tc.h); got != tc.want {
			t.Errorf("integrations-v1.md §13.4 header %s = %q, want %q", tc.h, got, tc.want)
		}
	}
	if _, ok := out.Last("I"); ok {
		t.Error("§13.4 unresolvable sources are omitted")
	}
	if _, err := CompileResponseParameters(map[string]string{"method.response.header.X": "'x'"}, func(string) bool { return false }); err == nil {
		t.Error("§13.4 only declared headers may be mapped")
	}
	if _, err := CompileResponseParameters(map[string]string{"method.response.header.X": "method.request.header.h"}, nil); err == nil {
		t.Error("§13.4 method.request sources are not integration response sources")
	}
	g, err := CompileGatewayResponseParameters(map[string]string{"gatewayresponse.header.x-path": "method.request.path.petId", "gatewayresponse.header.x-s": "'s'"})
	if err != nil {
		t.Fatal(err)
	}
	out = out[:0]
	g.Map(testRequest(), nil, &out)
	if v, _ := out.Last("x-path"); v != "7" {
		t.Errorf("gateway response mapping: %v", out)
	}
}

func TestV2RequestParameters(t *testing.T) {
	t.Parallel()
	m, err := CompileV2RequestParameters(map[string]string{
		"append:header.h1":         "$context.requestId",
		"append:header.h2":         "$request.header.x-multi",
		"remove:header.X-Multi":    "''",
		"overwrite:header.accept":  "Bearer ${request.querystring.tag}-$stageVariables.env",
		"append:querystring.q":     "${request.body.petstore.pets[0].name}/${request.path.petId}",
		"overwrite:querystring.t":  `\$default $unknown.var`,
		"remove:querystring.tag":   "",
		"overwrite:path":           "/v2$request.path",
		"append:header.h3":         "$request.body.nope",
		"append:header.whole-body": "$request.body",
	})
	if err != nil {
		t.Fatal(err)
	}
	req := testRequest()
	out := V2Outgoing{Headers: append(Params(nil), req.Headers...), Query: append(Params(nil), req.Query...), Path: req.Path}
	m.Apply(req, &out)
	for _, tc := range []struct{ name, got, want string }{
		{"§5.2 $context", join(out.Headers, "h1"), "req-1"},
		{"§5.2 multi-value header comma-joined; values computed before remove", join(out.Headers, "h2"), "1,2"},
		{"§5.1 remove header (case-insensitive)", join(out.Headers, "x-multi"), ""},
		{"§5.1 overwrite header; mixture of text and variables", join(out.Headers, "Accept"), "Bearer a,b-prod"},
		{"§5.2 body JSONPath and path variable", join(out.Query, "q"), "rex/7"},
		{"§9.3 \\$ escapes; unknown variables are text", join(out.Query, "t"), "$default $unknown.var"},
		{"§5.1 remove querystring", join(out.Query, "tag"), ""},
		{"§5.1 overwrite:path", out.Path, "/v2/pets/7"},
		{"§5.2 missing JSONPath is empty", join(out.Headers, "h3"), ""},
		{"§5.2 $request.body", join(out.Headers, "whole-body"), string(req.Body)},
	} {
		if tc.got != tc.want {
			t.Errorf("integrations-v2.md %s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	for _, bad := range []map[string]string{
		{"append:header.Authorization": "x"}, {"append:header.x-amz-date": "x"}, {"overwrite:header.Access-Control-Allow-Origin": "*"},
		{"append:path": "/x"}, {"replace:header.a": "x"}, {"append:header.a": "$request.body..x"}, {"append:header.a": "$request.body.a[?(@.b)]"},
		{"append:header.a": "${request.header.a"}, {"append:header.a": "$request.cookie.a"}, {"append:header.a": "$response.header.a"},
	} {
		if _, err := CompileV2RequestParameters(bad); err == nil {
			t.Errorf("integrations-v2.md §5: %v must be rejected", bad)
		}
	}
}

func join(p Params, name string) string { v, _ := p.Join(name, true); return v }

func TestV2ResponseParameters(t *testing.T) {
	t.Parallel()
	m, err := CompileV2ResponseParameters(map[string]map[string]string{
		"500": {"append:header.header1": "$context.requestId", "overwrite:statuscode": "403", "overwrite:header.x-err": "$response.body.error.code", "remove:header.x-internal": ""},
		"404": {"append:header.error": "$stageVariables.env"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp := &IntegrationResponse{Headers: Params{{"X-Internal", "1"}}, Body: []byte(`{"error":{"code":"E1"}}`)}
	out := V2Response{Status: 500, Headers: append(Params(nil), resp.Headers...)}
	if !m.Apply(testRequest(), resp, &out) || out.Status != 403 || join(out.Headers, "header1") != "req-1" || join(out.Headers, "x-err") != "E1" || join(out.Headers, "x-internal") != "" {
		t.Errorf("integrations-v2.md §6 example: %+v", out)
	}
	out = V2Response{Status: 200}
	if m.Apply(testRequest(), resp, &out) || len(out.Headers) != 0 {
		t.Errorf("§6 other statuses untouched: %+v", out)
	}
	for _, bad := range []map[string]map[string]string{
		{"600": {}}, {"abc": {}}, {"200": {"overwrite:statuscode": "99"}}, {"200": {"append:querystring.a": "x"}}, {"200": {"append:header.a": "$request.header.a"}},
	} {
		if _, err := CompileV2ResponseParameters(bad); err == nil {
			t.Errorf("integrations-v2.md §6: %v must be rejected", bad)
		}
	}
}

func TestValidateContentTypeKey(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"application/json", "text/plain; charset=utf-8", "application/vnd.api+json", "*/*"} {
		if err := ValidateContentTypeKey(ok); err != nil {
			t.Errorf("integrations-v1.md §16 %q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "json", "application/", "/json", "a b/c", "text/plain/x"} {
		err := ValidateContentTypeKey(bad)
		if err == nil || err.Error() != "Validation Result: warnings : [], errors : [Invalid content type specified: "+bad+"]" {
			t.Errorf("integrations-v1.md §16 %q: %v", bad, err)
		}
	}
}

// TestInputJSONRoot checks $input.json('$') (vtl.md §2) over bodies
// whose values it does not need to build: compact text is returned as
// it is, other JSON is printed compactly, a body that is not JSON
// renders "".
func TestInputJSONRoot(t *testing.T) {
	t.Parallel()
	tpl, err := CompileTemplate(`$input.json('$')|$input.json('$')|$input.path('$.a')`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"a":1,"b":"x\"y"}`, `{"a":1,"b":"x\"y"}|{"a":1,"b":"x\"y"}|1`},
		{`{"a": 1, "b": "x\/y"}`, `{"a":1,"b":"x/y"}|{"a":1,"b":"x/y"}|1`},
		{`{"a":1,"a":2}`, `{"a":2}|{"a":2}|2`},
		{`[1,2]`, `[1,2]|[1,2]|`},
		{`{"a":1`, `""|""|`},
		{``, `{}|{}|`},
	} {
		req := testRequest()
		req.Body = []byte(tc.body)
		var buf bytes.Buffer
		if err := tpl.RenderRequest(&buf, req, nil); err != nil || buf.String() != tc.want {
			t.Errorf("vtl.md §2 body %s renders %q, %v; want %q", tc.body, buf.String(), err, tc.want)
		}
	}
}

// TestParamsChains renders the $input.params() references the compiled
// form evaluates as one host call (vtl.md §2: the three maps, get and
// keySet, a repeated name reading its last value) and checks each
// against the expected text and against vtl's reference evaluator,
// which applies the parts one by one.
func TestParamsChains(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ tpl, want string }{
		{`$input.params().header.get('Accept')`, "application/json"},
		{`$input.params().header.get('X-Multi')`, "2"},
		{`$input.params().header.get('accept')`, ""}, // Java map keys are case-sensitive
		{`$input.params().querystring.get('tag')|$input.params().path.get('petId')`, "b|7"},
		{`#set($k = 'type')$input.params().querystring.get($k)`, "dog"},
		{`$input.params().header.get($nothing)|$!input.params().header.get(1)|`, "||"},
		{`#foreach($h in $input.params().header.keySet())$h=$input.params().header.get($h)#if($foreach.hasNext)&#end#end`,
			"Accept=application/json&X-Multi=2&Content-Type=application/json"},
		{`$input.params().querystring.keySet().size() $input.params().path`, "2 {petId=7}"},
		{`$input.params().nope.get('x')|$input.params().header.size()`, "|3"},
		// A template's own $input is not Portico's: the chain is not bound.
		{`#set($input = {"x": 1})$input.params().header.get('Accept')|`, "|"},
	} {
		tpl, err := CompileTemplate(tc.tpl)
		if err != nil {
			t.Fatal(err)
		}
		req := testRequest()
		var buf bytes.Buffer
		for range 2 { // the second render takes the bound chains
			buf.Reset()
			err = tpl.RenderRequest(&buf, req, nil)
			if err != nil || buf.String() != tc.want {
				t.Errorf("%s: %q, %v; want %q", tc.tpl, buf.String(), err, tc.want)
			}
		}
		checkReference(t, tpl, string(req.Body), buf.String(), err)
	}
}
