package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"
)

// mockConditional is vtl.md Examples 9 and 10: the MOCK status comes from
// the rendered template (integrations-v1.md §14).
const mockConditional = `{
  #if( $input.params('scope') == "internal" )
    "statusCode": 200
  #else
    "statusCode": 500
  #end
}`

func TestMockStatusFromTemplate(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	res := a.resource(t, a.root, "mock")
	a.method(t, res, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": mockConditional}})
	a.response(t, res, "GET", "200", "", nil, map[string]string{"application/json": `{"scope":"$input.params('scope')","stage":"$context.stage","rid":"$context.resourceId"}`})
	a.response(t, res, "GET", "500", "5\\d\\d", nil, map[string]string{"application/json": `{"error":"not internal"}`})
	a.deploy(t, "test", nil)

	resp, body := a.do(t, "GET", "/mock?scope=internal", "", nil)
	if want := `{"scope":"internal","stage":"test","rid":"` + res + `"}`; resp.StatusCode != 200 || body != want {
		t.Fatalf("example 9: %d %s, want %s", resp.StatusCode, body, want)
	}
	resp, body = a.do(t, "GET", "/mock?scope=public", "", nil)
	if resp.StatusCode != 500 || body != `{"error":"not internal"}` {
		t.Fatalf("example 10: %d %s", resp.StatusCode, body)
	}
}

// TestHTTPRequestAndResponseTemplates: a request template renders the
// integration request body from $input and $context; the response
// template reads the backend body with $input.path; overrides change the
// status and headers (vtl.md §6, Example 23).
func TestHTTPRequestAndResponseTemplates(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[seen]
	backend := echoBackend(t, &got)
	a := newAPI(t)
	res := a.resource(t, a.root, "{id}")
	a.method(t, res, "POST", map[string]bool{"method.request.path.id": true, "method.request.header.X-Tenant": false}, apigateway.PutIntegrationInput{
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/anything"),
		RequestParameters: map[string]string{
			"integration.request.header.X-Tenant-Id": "method.request.header.X-Tenant",
			"integration.request.querystring.id":     "method.request.path.id",
			"integration.request.header.X-Static":    "'yes'",
		},
		RequestTemplates: map[string]string{"application/json": `#set($b = $input.path('$'))
{"id":"$input.params('id')","name":"$util.escapeJavaScript($b.name)","n":$b.items.size(),"stage":"$stageVariables.env"}
#set($context.requestOverride.header.X-Override = "ov")`},
	})
	a.response(t, res, "POST", "200", "", nil, map[string]string{"application/json": `#set($body = $input.body)
#if($body.contains("error"))#set($context.responseOverride.status = 418)#end
#set($context.responseOverride.header.X-Resp = "r1")
{"backend":"$util.escapeJavaScript($body)"}`})
	a.deploy(t, "test", map[string]string{"env": "qa"})

	resp, body := a.do(t, "POST", "/42", `{"name":"O'Neil \"x\"","items":[1,2,3]}`, http.Header{"Content-Type": {"application/json"}, "X-Tenant": {"t1"}})
	s := got.Load()
	if want := `{"id":"42","name":"O\'Neil \"x\"","n":3,"stage":"qa"}` + "\n"; s.body != want {
		t.Fatalf("integration request body %q, want %q", s.body, want)
	}
	if s.rawQuery != "id=42" || s.header.Get("X-Tenant-Id") != "t1" || s.header.Get("X-Static") != "yes" || s.header.Get("X-Override") != "ov" {
		t.Fatalf("mapped parameters: query %q headers %v", s.rawQuery, s.header)
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Resp") != "r1" || !strings.HasPrefix(body, `{"backend":"echo:{\"id\":\"42\"`) {
		t.Fatalf("response: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// Response override of the status (Example 23).
	resp, _ = a.do(t, "POST", "/error", `{"name":"error","items":[]}`, http.Header{"Content-Type": {"application/json"}})
	if resp.StatusCode != 418 {
		t.Fatalf("responseOverride.status: %d", resp.StatusCode)
	}
}

// TestPassthroughBehaviors is the table of integrations-v1.md §8 with one
// template for application/json.
func TestPassthroughBehaviors(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	for _, behavior := range []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"} {
		res := a.resource(t, a.root, strings.ToLower(behavior))
		a.method(t, res, "POST", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, PassthroughBehavior: aws.String(behavior),
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
		a.response(t, res, "POST", "200", "", nil, map[string]string{"application/json": `ok`})
	}
	none := a.resource(t, a.root, "none")
	a.method(t, none, "POST", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, PassthroughBehavior: aws.String("NEVER")})
	a.response(t, none, "POST", "200", "", nil, nil)
	a.deploy(t, "test", nil)
	for _, tc := range []struct {
		path, ct string
		status   int
	}{
		{"/when_no_match", "", 200},
		{"/when_no_match", "application/json", 200},
		{"/when_no_match", "application/xml", 200},
		{"/when_no_templates", "application/json; charset=utf-8", 200},
		{"/when_no_templates", "application/xml", 415},
		{"/never", "", 200},
		{"/never", "text/plain", 415},
		{"/none", "application/json", 415},
	} {
		h := http.Header{}
		if tc.ct != "" {
			h.Set("Content-Type", tc.ct)
		}
		resp, body := a.do(t, "POST", tc.path, "{}", h)
		if resp.StatusCode != tc.status {
			t.Errorf("%s with %q: %d %s, want %d", tc.path, tc.ct, resp.StatusCode, body, tc.status)
		}
		if tc.status == 415 && (body != `{"message":"Unsupported Media Type"}` || resp.Header.Get("x-amzn-ErrorType") != "BadRequestException") {
			t.Errorf("415 answer: %s %v", body, resp.Header)
		}
	}
}

// TestTemplateErrors: a template that does not parse is rejected at Put
// time with 400 naming line and column; one that fails at run time gets
// 500 Internal server error (vtl.md §1.2).
func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	res := a.resource(t, a.root, "x")
	if _, err := a.c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	_, err := a.c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": "{\n  #if($x\n}"}})
	var ae smithy.APIError
	if !errorsAs(err, &ae) || ae.ErrorCode() != "BadRequestException" || !strings.HasSuffix(ae.ErrorMessage(), `application/json: Encountered "}" at line 3, column 1`) {
		t.Fatalf("unparsable template: %v", err)
	}
	// Runtime failure: parseJson of invalid JSON.
	a.method(t, res, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	a.response(t, res, "GET", "200", "", nil, map[string]string{"application/json": `$util.parseJson("{not json")`})
	a.deploy(t, "test", nil)
	resp, body := a.do(t, "GET", "/x", "", nil)
	if resp.StatusCode != 500 || body != `{"message":"Internal server error"}` {
		t.Fatalf("runtime template error: %d %s", resp.StatusCode, body)
	}
}
