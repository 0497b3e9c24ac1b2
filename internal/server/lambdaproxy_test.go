package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const nodeProxy = `exports.handler = async (event) => {
  const a = event.pathParameters.action;
  if (a === "throw") throw new Error("boom");
  if (a === "crash") process.exit(3);
  if (a === "malformed") return {statusCode: "nope"};
  return {statusCode: 200, headers: {"X-Fn": "node"}, body: event.httpMethod + " " + event.resource + " " + event.requestContext.stage + " " + process.pid};
};
`

const pythonProxy = `import os, sys

def handler(event, context):
    a = event["pathParameters"]["action"]
    if a == "throw":
        raise RuntimeError("boom")
    if a == "crash":
        os._exit(3)
    if a == "malformed":
        return {"statusCode": "nope"}
    return {"statusCode": 200, "headers": {"X-Fn": "python"},
            "body": event["httpMethod"] + " " + event["resource"] + " " + event["requestContext"]["stage"] + " " + str(os.getpid())}
`

// goBootstrap builds testdata/gofunc as a provided.al2023 zip.
func goBootstrap(t *testing.T) []byte {
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "bootstrap"), "./testdata/gofunc")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build go function: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	return zipExecutable(t, "bootstrap", b)
}

// TestLambdaProxyRuntimes: a Go, a Node.js and a Python function, each
// created through the SDK's CreateFunction with a zip made here, wired to
// a REST API through the SDK (AWS_PROXY, POST, invoke ARN) and called over
// HTTP; then each error path answers as integrations-v1.md §9.3 and
// errors-and-gateway-responses.md §3 say: a thrown error, a crash and a
// malformed response are 502, the integration timeout is 504.
func TestLambdaProxyRuntimes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	lc := lambdasdk.NewFromConfig(a.srv.Config())
	type fn struct {
		name, handler, tag string
		runtime            ltypes.Runtime
		zip                func() []byte
		needs              string
	}
	fns := []fn{
		{"gofn", "bootstrap", "go", ltypes.RuntimeProvidedal2023, func() []byte { return goBootstrap(t) }, ""},
		{"nodefn", "index.handler", "node", ltypes.RuntimeNodejs20x, func() []byte { return pyZip(t, "index.js", nodeProxy) }, "node"},
		{"pyfn", "app.handler", "python", ltypes.RuntimePython312, func() []byte { return pyZip(t, "app.py", pythonProxy) }, "python3"},
	}
	for _, f := range fns {
		if f.needs != "" {
			if _, err := exec.LookPath(f.needs); err != nil {
				t.Logf("skipping %s: %s is not on PATH (install it to run this runtime)", f.name, f.needs)
				continue
			}
		}
		out, err := lc.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String(f.name), Handler: aws.String(f.handler),
			Role: aws.String("arn:aws:iam::000000000000:role/r"), Runtime: f.runtime, Timeout: aws.Int32(3),
			Code: &ltypes.FunctionCode{ZipFile: f.zip()}})
		if err != nil {
			t.Fatalf("CreateFunction %s: %v", f.name, err)
		}
		res := a.resource(t, a.root, f.name)
		act := a.resource(t, res, "{action}")
		a.method(t, act, "ANY", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + *out.FunctionArn + "/invocations"), TimeoutInMillis: aws.Int32(1500)})
	}
	a.deploy(t, "test", nil)

	for _, f := range fns {
		if f.needs != "" {
			if _, err := exec.LookPath(f.needs); err != nil {
				continue
			}
		}
		t.Run(f.name, func(t *testing.T) {
			resp, body := a.do(t, "PUT", "/"+f.name+"/echo", "", nil)
			if resp.StatusCode != 200 || resp.Header.Get("X-Fn") != f.tag || !strings.HasPrefix(body, "PUT /"+f.name+"/{action} test ") {
				t.Fatalf("ok: %d %v %q", resp.StatusCode, resp.Header, body)
			}
			for _, tc := range []struct {
				action string
				status int
				body   string
			}{
				{"throw", 502, `{"message": "Internal server error"}`},
				{"malformed", 502, `{"message": "Internal server error"}`},
				{"crash", 502, `{"message": "Internal server error"}`},
			} {
				resp, body := a.do(t, "GET", "/"+f.name+"/"+tc.action, "", nil)
				if resp.StatusCode != tc.status || strings.ReplaceAll(body, " ", "") != strings.ReplaceAll(tc.body, " ", "") {
					t.Errorf("%s: %d %s", tc.action, resp.StatusCode, body)
				}
			}
			// A crashed process is replaced: the next request succeeds.
			if resp, _ := a.do(t, "GET", "/"+f.name+"/again", "", nil); resp.StatusCode != 200 {
				t.Errorf("after crash: %d", resp.StatusCode)
			}
		})
	}
	// The integration timeout (1.5 s, shorter than the function's 3 s).
	resp, body := a.do(t, "GET", "/gofn/sleep?ms=2500", "", nil)
	if resp.StatusCode != 504 || body != `{"message":"Endpoint request timed out"}` {
		t.Errorf("integration timeout: %d %s", resp.StatusCode, body)
	}
}

// TestLambdaProxyConcurrency: 50 concurrent requests through API Gateway
// to one function all succeed, served by at most the function's
// concurrency limit of processes (10 by default).
func TestLambdaProxyConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	lc := lambdasdk.NewFromConfig(a.srv.Config())
	out, err := lc.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("busy"), Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Runtime: ltypes.RuntimeProvidedal2023,
		Code: &ltypes.FunctionCode{ZipFile: goBootstrap(t)}})
	if err != nil {
		t.Fatal(err)
	}
	res := a.resource(t, a.root, "{action}")
	a.method(t, res, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + *out.FunctionArn + "/invocations")})
	a.deploy(t, "test", nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	pids := map[string]bool{}
	errs := 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(a.srv.URL + "/_aws/execute-api/" + a.id + "/test/sleep?ms=100")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				return
			}
			body := readAll(resp)
			if resp.StatusCode != 200 {
				errs++
				return
			}
			f := strings.Fields(body)
			pids[f[len(f)-1]] = true
		}()
	}
	wg.Wait()
	if errs > 0 {
		t.Fatalf("%d of 50 requests failed", errs)
	}
	if len(pids) > 10 || len(pids) < 2 {
		t.Fatalf("%d processes served 50 concurrent requests, want 2..10", len(pids))
	}
}
