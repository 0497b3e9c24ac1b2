package lambdaapi_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/integration/lambdaproxy"
	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/mgmt/lambdaapi"
	"github.com/portico-dev/portico/internal/model"
)

// bareRuntime is the least a Runtime API can do: hand one event to /next
// and take /response. Driving the Go test function through it is
// "invoking the function's runtime loop directly", the baseline of the
// warm AWS_PROXY latency budget.
type bareRuntime struct {
	events  chan []byte
	results chan []byte
}

func (a *bareRuntime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/next") {
		select {
		case ev := <-a.events:
			w.Header()["Lambda-Runtime-Aws-Request-Id"] = []string{"id"}
			w.Header()["Lambda-Runtime-Deadline-Ms"] = []string{"99999999999999"}
			w.Write(ev)
		case <-r.Context().Done():
		}
		return
	}
	b, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusAccepted)
	a.results <- b
}

func (a *bareRuntime) invoke(p []byte) []byte {
	a.events <- p
	return <-a.results
}

func startBare(t testing.TB) *bareRuntime {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api := &bareRuntime{events: make(chan []byte), results: make(chan []byte, 1)}
	srv := &http.Server{Handler: api}
	go srv.Serve(ln)
	cmd := exec.Command(goBin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		srv.Close()
	})
	api.invoke([]byte(`{}`))
	return api
}

// warmProxy is an AWS_PROXY integration to a warm local Go function.
func warmProxy(t testing.TB) (integration.Integration, *lambdaapi.Service) {
	h := newHarness(t, lambdaapi.Config{}, lambda.Options{})
	createGo(t, h.client, "warm")
	p, err := lambdaproxy.ProxyKind(h.svc)(&model.Integration{URI: invokeURI("warm")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Invoke(context.Background(), &integration.Request{Body: proxyEvent("/ok", "")}); err != nil {
		t.Fatal(err)
	}
	return p, h.svc
}

var perfEvent = proxyEvent("/ok", "a=1")

// proxyOnce is one warm request as the data plane makes it: build the
// event, invoke, parse the proxy response.
func proxyOnce(tb testing.TB, p integration.Integration, buf []byte) []byte {
	buf = lambdaproxy.AppendEvent(buf[:0], &lambdaproxy.Request{Method: "GET", Resource: "/{proxy+}", Path: "/ok",
		Header: http.Header{"Accept": {"*/*"}}, Context: lambdaproxy.RequestContext{APIID: "a", Stage: "prod"}})
	if _, err := p.Invoke(context.Background(), &integration.Request{Body: buf, Timeout: 5 * time.Second}); err != nil {
		tb.Fatal(err)
	}
	return buf
}

// TestWarmProxyOverheadBudget: a warm request through an AWS_PROXY
// integration to a local Go function adds under 300 µs (median) over
// invoking the function's runtime loop directly.
func TestWarmProxyOverheadBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("latency budget")
	}
	p, _ := warmProxy(t)
	bare := startBare(t)
	var buf []byte
	const n = 300
	direct := make([]time.Duration, 0, n)
	proxied := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		bare.invoke(perfEvent)
		direct = append(direct, time.Since(t0))
		t0 = time.Now()
		buf = proxyOnce(t, p, buf)
		proxied = append(proxied, time.Since(t0))
	}
	slices.Sort(direct)
	slices.Sort(proxied)
	d, q := direct[n/2], proxied[n/2]
	t.Logf("median direct %v, through AWS_PROXY %v, overhead %v", d, q, q-d)
	if q-d > 300*time.Microsecond {
		t.Errorf("warm AWS_PROXY overhead %v, budget 300µs", q-d)
	}
}

func BenchmarkDirectRuntimeLoop(b *testing.B) {
	bare := startBare(b)
	b.ReportAllocs()
	for b.Loop() {
		bare.invoke(perfEvent)
	}
}

func BenchmarkInvokeFunctionWarm(b *testing.B) {
	_, svc := warmProxy(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.InvokeFunction(ctx, "arn:aws:lambda:us-east-1:000000000000:function:warm", perfEvent); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProxyWarm(b *testing.B) {
	p, _ := warmProxy(b)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = proxyOnce(b, p, buf)
	}
}
