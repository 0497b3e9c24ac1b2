package lambda

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeProc is a proc without an OS process, for driving the Runtime API
// handler directly.
func fakeProc(t *testing.T) (*proc, *invocation) {
	t.Helper()
	fn := (&Function{Name: "f", CodeDir: "/x"}).withDefaults("us-east-1")
	pl := &pool{fn: fn, log: discardLogger(), slots: make(chan struct{}, 1), all: map[*proc]struct{}{}}
	pl.slots <- struct{}{}
	p := &proc{pool: pl, fn: fn, work: make(chan *invocation, 1), exited: make(chan struct{}),
		logs: &logSink{log: discardLogger()}}
	inv := &invocation{id: "req-1", payload: []byte(`{"k":"v"}`), arn: fn.ARN + ":live", trace: "Root=1-x",
		client: `{"custom":{}}`, version: fn.Version, timeout: 3 * time.Second, done: make(chan *Result, 1)}
	if !p.assign(inv) {
		t.Fatal("assign failed")
	}
	t.Cleanup(func() { inv.timer.Stop() })
	p.work <- inv
	return p, inv
}

func serve(p *proc, method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	return w
}

// Runtime API 2018-06-01: /next delivers the event with the
// Lambda-Runtime-* headers; …/response and …/error answer 202 and
// complete the invoke; unknown ids, paths and methods are refused.
func TestRuntimeAPIProtocol(t *testing.T) {
	t.Parallel()
	const base = "/2018-06-01/runtime/"
	t.Run("next delivers event and context headers", func(t *testing.T) {
		p, inv := fakeProc(t)
		before := time.Now()
		w := serve(p, "GET", base+"invocation/next", "", nil)
		if w.Code != 200 || w.Body.String() != `{"k":"v"}` {
			t.Fatalf("next: %d %s", w.Code, w.Body)
		}
		h := w.Result().Header
		for k, want := range map[string]string{
			"Lambda-Runtime-Aws-Request-Id":       "req-1",
			"Lambda-Runtime-Invoked-Function-Arn": inv.arn,
			"Lambda-Runtime-Trace-Id":             "Root=1-x",
			"Lambda-Runtime-Client-Context":       `{"custom":{}}`,
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		ms, _ := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
		if d := time.UnixMilli(ms).Sub(before); d < 2900*time.Millisecond || d > 3100*time.Millisecond {
			t.Errorf("Lambda-Runtime-Deadline-Ms is %v after delivery, want the 3 s timeout", d)
		}
	})
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		respBody                 string
		wantPayload, wantErr     string // "" when the invoke stays open
	}{
		{"response completes the invoke", "POST", "invocation/req-1/response", `{"ok":true}`, nil, 202, `{"status":"OK"}`, `{"ok":true}`, ""},
		{"error completes the invoke as Unhandled", "POST", "invocation/req-1/error", `{"errorType":"E","errorMessage":"m"}`,
			map[string]string{"Lambda-Runtime-Function-Error-Type": "E"}, 202, `{"status":"OK"}`, `{"errorType":"E","errorMessage":"m"}`, "Unhandled"},
		{"error with a non-JSON body is wrapped", "POST", "invocation/req-1/error", `oops`,
			map[string]string{"Lambda-Runtime-Function-Error-Type": "Custom.Err"}, 202, `{"status":"OK"}`, `{"errorType":"Custom.Err","errorMessage":"oops"}`, "Unhandled"},
		{"unknown request id is InvalidRequestID", "POST", "invocation/other/response", `{}`, nil, 400, badIDBody, "", ""},
		{"GET on response is refused", "GET", "invocation/req-1/response", ``, nil, 405, badMethodBody, "", ""},
		{"unknown path", "POST", "invocation/req-1/bogus", `{}`, nil, 404, notFoundBody, "", ""},
		{"outside the API prefix", "GET", "../../x", ``, nil, 404, notFoundBody, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, inv := fakeProc(t)
			if w := serve(p, "GET", base+"invocation/next", "", nil); w.Code != 200 {
				t.Fatalf("next: %d", w.Code)
			}
			w := serve(p, tc.method, base+tc.path, tc.body, tc.hdr)
			if w.Code != tc.status || w.Body.String() != tc.respBody {
				t.Errorf("got %d %s, want %d %s", w.Code, w.Body, tc.status, tc.respBody)
			}
			select {
			case res := <-inv.done:
				if tc.wantPayload == "" {
					t.Fatalf("invoke completed: %s", res.Payload)
				}
				if string(res.Payload) != tc.wantPayload || res.FunctionError != tc.wantErr || res.RequestID != "req-1" {
					t.Errorf("result %s %q %q", res.Payload, res.FunctionError, res.RequestID)
				}
				if len(p.pool.idle) != 1 {
					t.Errorf("process not back in the idle list")
				}
			default:
				if tc.wantPayload != "" {
					t.Fatal("invoke not completed")
				}
			}
		})
	}
}
