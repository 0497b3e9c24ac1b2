package lambdaapi_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/integration/lambdaproxy"
	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/mgmt/lambdaapi"
	"github.com/portico-dev/portico/internal/model"
)

func invokeURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arnPrefix + fn + "/invocations"
}

// proxyEvent builds the REST proxy event for GET {path}?{query}.
func proxyEvent(path, query string) []byte {
	q, _ := url.ParseQuery(query)
	return lambdaproxy.AppendEvent(nil, &lambdaproxy.Request{
		Method: "GET", Resource: "/{proxy+}", Path: path,
		Header:     http.Header{"Accept": {"*/*"}, "User-Agent": {"test"}},
		Query:      q,
		PathParams: maps.All(map[string]string{"proxy": strings.TrimPrefix(path, "/")}),
		Context: lambdaproxy.RequestContext{AccountID: "000000000000", APIID: "abc123", Stage: "prod",
			RequestID: "r-1", HTTPMethod: "GET", Path: "/prod" + path, ResourcePath: "/{proxy+}"},
	})
}

func gatewayError(t *testing.T, err error) *awserr.GatewayError {
	t.Helper()
	var ge *awserr.GatewayError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want a gateway error", err)
	}
	return ge
}

// TestProxyIntegration runs AWS_PROXY invokes against a real Go function:
// the success shape and every error path of integrations-v1.md §9.3.
func TestProxyIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, lambdaapi.Config{}, lambda.Options{})
	createGo(t, h.client, "proxyfn", func(in *lambdasdk.CreateFunctionInput) { in.Timeout = aws.Int32(2) })
	newProxy := func(fn string) integration.Integration {
		p, err := lambdaproxy.ProxyKind(h.svc)(&model.Integration{Type: "AWS_PROXY", HTTPMethod: "POST", URI: invokeURI(fn)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := newProxy("proxyfn")
	ctx := context.Background()

	resp, err := p.Invoke(ctx, &integration.Request{Body: proxyEvent("/ok", "a=1&a=2"), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Fn") != "go" || !slices.Equal(resp.Header["X-Multi"], []string{"a", "b"}) ||
		!strings.Contains(string(resp.Body), `"multiValueQueryStringParameters":{"a":["1","2"]}`) {
		t.Errorf("proxy response = %d %v %s", resp.StatusCode, resp.Header, resp.Body)
	}

	for _, tc := range []struct {
		name    string
		fn      string
		path    string
		timeout time.Duration
		typ     awserr.ResponseType
		status  int
	}{
		{"function error is 502 (§9.3)", "proxyfn", "/error", 5 * time.Second, awserr.IntegrationFailure, 502},
		{"malformed response is 502 (§9.3)", "proxyfn", "/malformed", 5 * time.Second, awserr.IntegrationFailure, 502},
		{"process crash is 502 (§9.3)", "proxyfn", "/crash", 5 * time.Second, awserr.IntegrationFailure, 502},
		{"function timeout is a function error, 502", "proxyfn", "/sleep?ms=2500", 5 * time.Second, awserr.IntegrationFailure, 502},
		{"integration timeout is 504 (§9.3)", "proxyfn", "/sleep?ms=600", 150 * time.Millisecond, awserr.IntegrationTimeout, 504},
		{"unknown function is 500 (§9.3 invoke failure)", "nope", "/ok", 5 * time.Second, awserr.APIConfigurationError, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, query, _ := strings.Cut(tc.path, "?")
			_, err := newProxy(tc.fn).Invoke(ctx, &integration.Request{Body: proxyEvent(path, query), Timeout: tc.timeout})
			ge := gatewayError(t, err)
			if ge.Type != tc.typ || ge.StatusCode() != tc.status || ge.MessageText() == "" {
				t.Errorf("got %s %d %q, want %s %d", ge.Type, ge.StatusCode(), ge.MessageText(), tc.typ, tc.status)
			}
		})
	}

	// The process that timed out or crashed was replaced: the function still answers.
	if _, err := p.Invoke(ctx, &integration.Request{Body: proxyEvent("/ok", ""), Timeout: 5 * time.Second}); err != nil {
		t.Errorf("after errors: %v", err)
	}
}

// TestCustomIntegration checks the AWS (non-proxy) Lambda kind: the
// result with selection value "", a function error as 200 with its
// errorMessage as selection value (§13.3), and Event invokes (§3.3).
func TestCustomIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, lambdaapi.Config{}, lambda.Options{})
	createGo(t, h.client, "customfn")
	c, err := lambdaproxy.CustomKind(h.svc)(&model.Integration{Type: "AWS", HTTPMethod: "POST", URI: invokeURI("customfn")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp, err := c.Invoke(ctx, &integration.Request{Body: []byte(`{"x":1}`)})
	if err != nil || resp.StatusCode != 200 || resp.SelectionValue == nil || *resp.SelectionValue != "" || !strings.Contains(string(resp.Body), `"greeting":"hello"`) {
		t.Fatalf("success = %+v, %v", resp, err)
	}
	resp, err = c.Invoke(ctx, &integration.Request{Body: []byte(`{"action":"error"}`)})
	if err != nil || resp.StatusCode != 200 || resp.SelectionValue == nil || *resp.SelectionValue != "boom" {
		t.Fatalf("function error = %+v, %v", resp, err)
	}
	resp, err = c.Invoke(ctx, &integration.Request{Body: []byte(`{}`), Header: http.Header{"X-Amz-Invocation-Type": {"Event"}}})
	if err != nil || resp.StatusCode != 202 || len(resp.Body) != 0 {
		t.Fatalf("Event = %+v, %v", resp, err)
	}
	// Stage variables already substituted: the uri arrives in req.URL.
	sv, err := lambdaproxy.CustomKind(h.svc)(&model.Integration{Type: "AWS", URI: invokeURI("${stageVariables.fn}")})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := sv.Invoke(ctx, &integration.Request{URL: invokeURI("customfn"), Body: []byte(`{}`)}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("stage-variable uri = %+v, %v", resp, err)
	}
}

// TestMissingInterpreter: a runtime whose interpreter is absent is
// rejected at CreateFunction, naming what to install.
func TestMissingInterpreter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, lambdaapi.Config{}, lambda.Options{NodePath: "/nonexistent/node"})
	_, err := h.client.CreateFunction(context.Background(), &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("nonode"), Runtime: types.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Role: aws.String("r"), Code: &types.FunctionCode{ZipFile: zipDir(t, "testdata/nodefunc")}})
	var ipv *types.InvalidParameterValueException
	if !errors.As(err, &ipv) || !strings.Contains(aws.ToString(ipv.Message), "Node.js") {
		t.Fatalf("err = %v", err)
	}
}

// TestConcurrentScaling: 50 concurrent invokes of one function start
// processes up to the default limit of 10 and all succeed.
func TestConcurrentScaling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, lambdaapi.Config{}, lambda.Options{})
	createGo(t, h.client, "busy")
	var peak atomic.Int64
	stop := make(chan struct{})
	var pollWG sync.WaitGroup
	pollWG.Add(1)
	go func() {
		defer pollWG.Done()
		for {
			if n := int64(h.mgr.Processes("busy")); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String("busy"),
				Payload: []byte(`{"action":"sleep","ms":200}`)})
			if err == nil && out.FunctionError != nil {
				err = errors.New(string(out.Payload))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(stop)
	pollWG.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if p := peak.Load(); p < 2 || p > lambda.DefaultMaxConcurrency {
		t.Errorf("peak processes = %d, want 2..%d", p, lambda.DefaultMaxConcurrency)
	}
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestWarmRequestsLeakNothing: 1,000 sequential warm AWS_PROXY requests
// leave the processes, goroutines and file descriptors as they found them.
func TestWarmRequestsLeakNothing(t *testing.T) {
	h := newHarness(t, lambdaapi.Config{}, lambda.Options{})
	createGo(t, h.client, "steady")
	p, err := lambdaproxy.ProxyKind(h.svc)(&model.Integration{URI: invokeURI("steady")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ev := proxyEvent("/ok", "")
	req := &integration.Request{Body: ev, Timeout: 5 * time.Second}
	for range 20 {
		if _, err := p.Invoke(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	g0, f0, p0 := runtime.NumGoroutine(), openFDs(t), h.mgr.LiveProcesses()
	for i := range 1000 {
		if _, err := p.Invoke(ctx, req); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	g1, f1, p1 := runtime.NumGoroutine(), openFDs(t), h.mgr.LiveProcesses()
	if g1 > g0+2 || f1 > f0+2 || p1 != p0 {
		t.Errorf("goroutines %d→%d, fds %d→%d, processes %d→%d", g0, g1, f0, f1, p0, p1)
	}
}

// TestRemoteEndpoint: a Service with RemoteEndpoint sends invokes of
// functions it does not have to another Lambda-compatible endpoint
// through the AWS SDK (default credential chain).
func TestRemoteEndpoint(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDREMOTE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	far := newHarness(t, lambdaapi.Config{}, lambda.Options{})
	createGo(t, far.client, "faraway")
	near := newHarness(t, lambdaapi.Config{RemoteEndpoint: far.url}, lambda.Options{})

	if res, err := far.svc.InvokeFunction(context.Background(), invokeURI("faraway"), nil); err != nil || !strings.Contains(string(res.Payload), `"greeting":"hello"`) {
		t.Errorf("InvokeFunction by invoke_arn = %v, %v", res, err)
	}
	res, err := near.svc.InvokeFunction(context.Background(), arnPrefix+"faraway", []byte(`{"k":"v"}`))
	if err != nil || !strings.Contains(string(res.Payload), `"greeting":"hello"`) {
		t.Fatalf("remote InvokeFunction = %v, %v", res, err)
	}
	out, doc := invokeJSON(t, near.client, &lambdasdk.InvokeInput{FunctionName: aws.String("faraway"), Payload: []byte(`{"action":"error"}`)})
	if aws.ToString(out.FunctionError) != "Unhandled" || doc["errorMessage"] != "boom" {
		t.Errorf("remote function error = %v %v", aws.ToString(out.FunctionError), doc)
	}
	_, err = near.svc.InvokeFunction(context.Background(), "missing", nil)
	if !errors.Is(err, lambdaproxy.ErrFunctionNotFound) {
		t.Errorf("remote unknown function: %v", err)
	}
}
