package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// FuzzDataPlane sends arbitrary paths, queries, headers and bodies to a
// deployed API whose methods use templates, mappings and content
// handling: nothing may panic, and every answer is a well-formed HTTP
// response with the standard headers.
func FuzzDataPlane(f *testing.F) {
	backend := benchBackend(f)
	a := newAPI(f)
	items := a.resource(f, a.root, "items")
	item := a.resource(f, items, "{id}")
	proxy := a.resource(f, a.root, "{proxy+}")
	a.method(f, item, "POST", map[string]bool{"method.request.path.id": true, "method.request.querystring.q": false}, apigateway.PutIntegrationInput{
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/x/{id}"),
		ContentHandling:   types.ContentHandlingStrategyConvertToText,
		RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.id", "integration.request.header.B": "method.request.body.a.b"},
		RequestTemplates:  map[string]string{"application/json": `#set($r = $input.path('$'))#foreach($k in $r.keySet())$k=$r.get($k)#end $input.json('$.a') $util.urlDecode($input.params('q'))`},
	})
	a.response(f, item, "POST", "200", "", nil, map[string]string{"application/json": `$input.path('$')`})
	a.method(f, items, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": $input.params('code')}`}})
	a.response(f, items, "GET", "200", "", nil, nil)
	a.method(f, proxy, "ANY", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy,
		IntegrationHttpMethod: aws.String("ANY"), Uri: aws.String(backend.URL + "/{proxy}")})
	a.deploy(f, "test", nil)
	h := a.srv.Handler()
	for _, s := range []struct{ method, path, ct, body string }{
		{"POST", "/items/1?q=%zz", "application/json", `{"a":{"b":1}}`},
		{"POST", "/items/%2F?q=a+b", "application/json", `{"a":`},
		{"GET", "/items?code=abc", "", ""},
		{"GET", "/a/b/../c", "", ""},
		{"PUT", "/%00", "image/png", "\xff\xfe"},
	} {
		f.Add(s.method, s.path, s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, ct, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") || !strings.HasPrefix(path, "/") {
			return
		}
		req, err := http.NewRequest(method, "/_aws/execute-api/"+a.id+"/test"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		if ct != "" {
			req.Header["Content-Type"] = []string{ct}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// The header is written with AWS's exact casing, not Go's
		// canonical form, so it is looked up as written.
		if rec.Code < 100 || rec.Code > 599 || len(rec.Header()["x-amzn-RequestId"]) == 0 { //lint:ignore SA1008 AWS casing
			t.Fatalf("%s %s: %d %v", method, path, rec.Code, rec.Header())
		}
	})
}
