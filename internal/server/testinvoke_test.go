package server_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestTestInvokeMethod: TestInvokeMethod runs the stored (undeployed)
// method and returns status, body, headers, latency and the execution log
// in the shape AWS prints it.
func TestTestInvokeMethod(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[seen]
	backend := echoBackend(t, &got)
	a := newAPI(t)
	res := a.resource(t, a.root, "{id}")
	a.method(t, res, "POST", map[string]bool{"method.request.path.id": true}, apigateway.PutIntegrationInput{
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/items/{id}"),
		RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.id"},
		RequestTemplates:  map[string]string{"application/json": `{"id":"$input.params('id')","q":"$input.params('q')"}`},
	})
	a.response(t, res, "POST", "200", "", map[string]string{"method.response.header.X-Id": "'static'"},
		map[string]string{"application/json": `{"wrapped":"$util.escapeJavaScript($input.body)"}`})
	out, err := a.c.TestInvokeMethod(context.Background(), &apigateway.TestInvokeMethodInput{RestApiId: &a.id, ResourceId: &res,
		HttpMethod: aws.String("POST"), PathWithQueryString: aws.String("/42?q=x"), Body: aws.String(`{}`),
		Headers: map[string]string{"Content-Type": "application/json"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Load(); s == nil || s.path != "/items/42" || s.body != `{"id":"42","q":"x"}` {
		t.Fatalf("backend saw %+v", s)
	}
	if out.Status != 200 || aws.ToString(out.Body) != `{"wrapped":"echo:{\"id\":\"42\",\"q\":\"x\"}"}` || out.Headers["X-Id"] != "static" {
		t.Fatalf("test invoke: %d %s %v", out.Status, aws.ToString(out.Body), out.Headers)
	}
	log := aws.ToString(out.Log)
	for _, want := range []string{"Execution log for request ", "Method request path: {id=42}", "Method request query string: {q=x}",
		"Endpoint request URI: " + backend.URL + "/items/42", `Endpoint request body after transformations: {"id":"42","q":"x"}`,
		"Received response. Status: 201", `Method response body after transformations: {"wrapped"`, "Method completed with status: 200"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
