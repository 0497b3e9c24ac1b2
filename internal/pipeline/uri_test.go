package pipeline

import (
	"strings"
	"testing"
)

// TestURITemplate: {name} placeholders take integration.request.path
// values (escaped, greedy values keep their slashes) and
// ${stageVariables.x} is inserted as written, even as a whole host
// (integrations-v1.md §3.1).
func TestURITemplate(t *testing.T) {
	vars := map[string]string{"host": "backend.example.com:8080", "v": "v2"}
	path := map[string]string{"proxy": "a/b c/d", "id": "7?x", "q": "x y&z"}
	for _, tc := range []struct{ name, uri, want string }{
		{"stage variable host", "http://${stageVariables.host}/x", "http://backend.example.com:8080/x"},
		{"stage variable path part", "https://example.com/${stageVariables.v}/items", "https://example.com/v2/items"},
		{"greedy keeps slashes, escapes the rest", "http://e.com/base/{proxy}", "http://e.com/base/a/b%20c/d"},
		{"single segment escaped", "http://e.com/items/{id}", "http://e.com/items/7%3Fx"},
		{"placeholder in the query string", "http://e.com/s?q={q}", "http://e.com/s?q=x+y%26z"},
		{"missing stage variable is empty", "http://e.com/${stageVariables.nope}x", "http://e.com/x"},
		{"greedy form in the uri", "http://e.com/{proxy+}", "http://e.com/a/b%20c/d"},
	} {
		u, err := compileURI(tc.uri)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var b strings.Builder
		u.render(&b, func(n string) string { return path[n] }, vars)
		if b.String() != tc.want {
			t.Errorf("%s: %s → %s, want %s", tc.name, tc.uri, b.String(), tc.want)
		}
	}
	if _, err := compileURI("http://${stageVariables.host"); err == nil {
		t.Error("unterminated stage variable accepted")
	}
}

// TestResponseConversionTable is integrations-v1.md §10.2 as a pure
// function (the end-to-end rows are in the server tests).
func TestResponseConversionTable(t *testing.T) {
	for _, tc := range []struct {
		set, binary, accept bool
		handling            string
		want                responseForm
	}{
		{false, false, false, "", asIs}, {false, true, false, convertToBinary, decodeBase64}, {false, true, false, convertToText, asIs},
		{true, false, false, "", asIs}, {true, false, false, convertToBinary, decodeBase64}, {true, false, false, convertToText, asIs},
		{true, false, true, "", decodeBase64}, {true, false, true, convertToBinary, decodeBase64}, {true, false, true, convertToText, asIs},
		{true, true, false, "", encodeBase64}, {true, true, false, convertToBinary, asIs}, {true, true, false, convertToText, encodeBase64},
		{true, true, true, "", asIs}, {true, true, true, convertToBinary, asIs}, {true, true, true, convertToText, encodeBase64},
	} {
		if got := responseConversion(tc.set, tc.binary, tc.accept, tc.handling); got != tc.want {
			t.Errorf("%+v: got %d", tc, got)
		}
	}
}

// FuzzURITemplate: any uri compiles or fails cleanly, and rendering never
// panics.
func FuzzURITemplate(f *testing.F) {
	for _, s := range []string{"http://${stageVariables.h}/{proxy}", "http://e.com/{a}/{b+}?q={c}", "{", "${stageVariables.", "}{}{", "http://e.com/%7Bx%7D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, err := compileURI(uri)
		if err != nil {
			return
		}
		var b strings.Builder
		u.render(&b, func(n string) string { return n + "/v" }, map[string]string{"h": "x"})
		u.placeholders()
	})
}

// FuzzMockStatus: the MOCK status scan never panics and only accepts
// integers.
func FuzzMockStatus(f *testing.F) {
	for _, s := range []string{`{"statusCode": 200}`, `{"statusCode":"200"}`, `{"statusCode": 99999999999999999999}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mockStatus([]byte(s))
	})
}
