package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const customHandler = `import json

def handler(event, context):
    if event.get("fail"):
        raise ValueError("Invalid input: " + event["fail"])
    return {"greeting": "hello " + event.get("greeter", ""), "requestId": context.aws_request_id}
`

func pyZip(t *testing.T, name, src string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(name)
	w.Write([]byte(src))
	zw.Close()
	return b.Bytes()
}

// TestLambdaCustomIntegration: an AWS (non-proxy) Lambda integration
// (integrations-v1.md §13.3, §15): the request template's output is the
// event; a function error's errorMessage is matched by selectionPattern;
// success falls to the default response; templates apply (vtl.md
// Examples 11 and 25).
func TestLambdaCustomIntegration(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not on PATH: install Python 3 to run Lambda integration tests")
	}
	a := newAPI(t)
	ctx := context.Background()
	lc := lambdasdk.NewFromConfig(a.srv.Config())
	fn, err := lc.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("greeter"), Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Runtime: ltypes.RuntimePython312,
		Code: &ltypes.FunctionCode{ZipFile: pyZip(t, "app.py", customHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	res := a.resource(t, a.root, "greet")
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + *fn.FunctionArn + "/invocations"
	a.method(t, res, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String(uri), RequestTemplates: map[string]string{
			"application/json": `{"greeter":"$input.params('greeter')"#if($input.params('fail') != ""),"fail":"$input.params('fail')"#end}`}})
	a.response(t, res, "GET", "200", "", nil, map[string]string{"application/json": `{"message":"$input.path('$.greeting')"}`})
	a.response(t, res, "GET", "400", "Invalid input.*", map[string]string{"method.response.header.X-Error-Type": "integration.response.body.errorType"},
		map[string]string{"application/json": `{"error":"$input.path('$.errorMessage')"}`})
	a.deploy(t, "test", nil)

	resp, body := a.do(t, "GET", "/greet?greeter=jane", "", nil)
	if resp.StatusCode != 200 || body != `{"message":"hello jane"}` {
		t.Fatalf("success: %d %s", resp.StatusCode, body)
	}
	resp, body = a.do(t, "GET", "/greet?fail=bad", "", nil)
	var got struct{ Error string }
	if resp.StatusCode != 400 || json.Unmarshal([]byte(body), &got) != nil || got.Error != "Invalid input: bad" || resp.Header.Get("X-Error-Type") != "ValueError" {
		t.Fatalf("mapped error: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	// Asynchronous invocation via X-Amz-Invocation-Type: Event → 202 with an
	// empty body, selected by status (§3.3).
	async := a.resource(t, a.root, "async")
	a.method(t, async, "POST", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String(uri), RequestParameters: map[string]string{"integration.request.header.X-Amz-Invocation-Type": "'Event'"}})
	a.response(t, async, "POST", "202", "2\\d\\d", nil, nil)
	a.deploy(t, "test", nil)
	if resp, body := a.do(t, "POST", "/async", `{"greeter":"x"}`, http.Header{"Content-Type": {"application/json"}}); resp.StatusCode != 202 || body != "" {
		t.Fatalf("async: %d %q", resp.StatusCode, body)
	}
}

// zipExecutable zips one executable file.
func zipExecutable(t *testing.T, name string, b []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	zw.Close()
	return buf.Bytes()
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
