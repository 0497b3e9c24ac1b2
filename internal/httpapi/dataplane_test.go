package httpapi_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v2 "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

// fixture is a Portico with an SDK client.
type fixture struct {
	t   *testing.T
	srv *porticotest.Server
	c   *v2.Client
}

func start(t *testing.T, opts porticotest.Options) *fixture {
	t.Helper()
	srv := porticotest.StartWith(t, opts)
	return &fixture{t: t, srv: srv, c: v2.NewFromConfig(srv.Config())}
}

func (f *fixture) api(cors *types.Cors) string {
	f.t.Helper()
	out, err := f.c.CreateApi(context.Background(), &v2.CreateApiInput{Name: aws.String("t"), ProtocolType: types.ProtocolTypeHttp,
		CorsConfiguration: cors})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.ApiId
}

func (f *fixture) integration(in *v2.CreateIntegrationInput) string {
	f.t.Helper()
	if in.PayloadFormatVersion == nil {
		in.PayloadFormatVersion = aws.String("1.0")
	}
	out, err := f.c.CreateIntegration(context.Background(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.IntegrationId
}

func (f *fixture) proxy(api, uri string) string {
	return f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: &uri})
}

func (f *fixture) route(api, key, integ string) string {
	f.t.Helper()
	out, err := f.c.CreateRoute(context.Background(), &v2.CreateRouteInput{ApiId: &api, RouteKey: &key,
		Target: aws.String("integrations/" + integ)})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.RouteId
}

func (f *fixture) stage(api, name string, auto bool, vars map[string]string) {
	f.t.Helper()
	if _, err := f.c.CreateStage(context.Background(), &v2.CreateStageInput{ApiId: &api, StageName: &name,
		AutoDeploy: aws.Bool(auto), StageVariables: vars}); err != nil {
		f.t.Fatal(err)
	}
}

// call invokes path (with or without a stage) through the
// /_aws/execute-api form.
func (f *fixture) call(method, api, path string, body string, hdr http.Header) (*http.Response, string) {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+"/_aws/execute-api/"+api+path, r)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, porticotest.ReadBody(f.t, resp)
}

// echo is a backend answering with what it received.
type echoed struct {
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Query  string              `json:"query"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
	Host   string              `json:"host"`
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Backend", "yes")
	s := r.URL.Query().Get("status")
	if h := r.Header.Get("X-Want-Status"); h != "" {
		s = h
	}
	if s != "" {
		code, _ := strconv.Atoi(s)
		w.WriteHeader(code)
	}
	json.NewEncoder(w).Encode(echoed{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header, Body: string(b), Host: r.Host})
}

func echoBackend(t *testing.T) *httptest.Server {
	b := httptest.NewServer(http.HandlerFunc(echoHandler))
	t.Cleanup(b.Close)
	return b
}

func decode(t *testing.T, body string) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("backend body %q: %v", body, err)
	}
	return e
}

// TestRoutePrecedence is the route selection table of
// integrations-v2.md §7.3, plus method-beats-ANY and $default last.
func TestRoutePrecedence(t *testing.T) {
	t.Parallel()
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	api := f.api(nil)
	for _, key := range []string{"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default",
		"ANY /things", "POST /things"} {
		name := strings.NewReplacer(" ", "_", "/", "~", "{", "(", "}", ")", "+", "p", "$", "D").Replace(key)
		f.route(api, key, f.proxy(api, b.URL+"/route/"+name))
	}
	f.stage(api, "$default", true, nil)
	for _, tc := range []struct{ name, method, path, want string }{
		{"full match", "GET", "/pets/dog/1", "/route/GET_~pets~dog~1"},
		{"literal beats variable", "GET", "/pets/dog/2", "/route/GET_~pets~dog~(id)"},
		{"greedy when no full match", "GET", "/pets/cat/1", "/route/GET_~pets~(proxyp)"},
		{"ANY greedy for other methods", "POST", "/test/5", "/route/ANY_~(proxyp)"},
		{"method beats ANY", "POST", "/things", "/route/POST_~things"},
		{"ANY when the method has no route", "DELETE", "/things", "/route/ANY_~things"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.call(tc.method, api, tc.path, "", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got := decode(t, body).Path; got != tc.want {
				t.Fatalf("routed to %s, want %s", got, tc.want)
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid header")
			}
		})
	}
	// $default catches what nothing else does: the root.
	resp, body := f.call("GET", api, "/", "", nil)
	if resp.StatusCode != 200 || decode(t, body).Path != "/route/D"+"default" {
		t.Fatalf("GET / = %d %s", resp.StatusCode, body)
	}
}

// TestNotFound: no route, no stage → 404 {"message":"Not Found"}
// (integrations-v2.md §7.4).
func TestNotFound(t *testing.T) {
	t.Parallel()
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	api := f.api(nil)
	f.route(api, "GET /only", f.proxy(api, b.URL))
	f.stage(api, "prod", true, nil)
	for _, path := range []string{"/prod/other", "/only", "/nostage/only"} {
		resp, body := f.call("GET", api, path, "", nil)
		if resp.StatusCode != 404 || body != `{"message":"Not Found"}` || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s = %d %s", path, resp.StatusCode, body)
		}
	}
	resp, _ := f.call("GET", api, "/prod/only", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /prod/only = %d", resp.StatusCode)
	}
	// disableExecuteApiEndpoint turns the default endpoint off.
	if _, err := f.c.UpdateApi(context.Background(), &v2.UpdateApiInput{ApiId: &api, DisableExecuteApiEndpoint: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	resp, body := f.call("GET", api, "/prod/only", "", nil)
	if resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("disabled endpoint = %d %s", resp.StatusCode, body)
	}
}

// TestStages: the $default stage is served at the root and named stages
// under their name; autoDeploy stages see changes at once, others on
// CreateDeployment (integrations-v2.md §7.1).
func TestStages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	api := f.api(nil)
	integ := f.proxy(api, b.URL)
	f.route(api, "GET /a", integ)
	f.stage(api, "$default", true, nil)
	f.stage(api, "manual", false, nil)
	if resp, _ := f.call("GET", api, "/a", "", nil); resp.StatusCode != 200 {
		t.Fatalf("$default GET /a = %d", resp.StatusCode)
	}
	if resp, _ := f.call("GET", api, "/manual/a", "", nil); resp.StatusCode != 404 {
		t.Fatalf("undeployed stage GET /manual/a = %d, want 404", resp.StatusCode)
	}
	if _, err := f.c.CreateDeployment(ctx, &v2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("manual")}); err != nil {
		t.Fatal(err)
	}
	resp, body := f.call("GET", api, "/manual/a?x=1", "", nil)
	if resp.StatusCode != 200 || decode(t, body).Path != "/a" || decode(t, body).Query != "x=1" {
		t.Fatalf("GET /manual/a = %d %s (the stage segment is not sent to public backends)", resp.StatusCode, body)
	}
	// A new route reaches the autoDeploy stage at once, the manual one
	// only after a deployment.
	f.route(api, "GET /b", integ)
	if resp, _ := f.call("GET", api, "/b", "", nil); resp.StatusCode != 200 {
		t.Fatalf("autoDeploy GET /b = %d", resp.StatusCode)
	}
	if resp, _ := f.call("GET", api, "/manual/b", "", nil); resp.StatusCode != 404 {
		t.Fatalf("manual GET /manual/b before deployment = %d", resp.StatusCode)
	}
	// The execute-api host form: $default at /.
	req, _ := http.NewRequest("GET", f.srv.URL+"/a", nil)
	req.Host = api + ".execute-api.localhost"
	hresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	porticotest.ReadBody(t, hresp)
	if hresp.StatusCode != 200 {
		t.Fatalf("execute-api host GET /a = %d", hresp.StatusCode)
	}
}

// TestHTTPProxy: pass-through of method, path, query, headers and body;
// {proxy}, path variables and stage variables substituted
// (integrations-v2.md §2.2).
func TestHTTPProxy(t *testing.T) {
	t.Parallel()
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	api := f.api(nil)
	f.route(api, "ANY /files/{proxy+}", f.proxy(api, b.URL+"/store/{proxy}"))
	f.route(api, "GET /pets/{petID}", f.proxy(api, b.URL+"/pets/extendedpath/{petID}"))
	f.route(api, "GET /env", f.proxy(api, b.URL+"/${stageVariables.env}/x"))
	f.route(api, "$default", f.proxy(api, b.URL))
	f.stage(api, "$default", true, map[string]string{"env": "prod"})
	for _, tc := range []struct{ name, method, path, body, wantPath, wantQuery string }{
		{"no path in uri appends the request path", "POST", "/store/checkout?a=1&a=2", "hello", "/store/checkout", "a=1&a=2"},
		{"greedy proxy substituted", "PUT", "/files/a/b%20c.txt", "x", "/store/a/b%20c.txt", ""},
		{"path variable substituted", "GET", "/pets/7?q=x", "", "/pets/extendedpath/7", "q=x"},
		{"stage variable substituted", "GET", "/env", "", "/prod/x", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.call(tc.method, api, tc.path, tc.body, http.Header{"X-Custom": {"v1", "v2"}})
			if resp.StatusCode != 200 {
				t.Fatalf("status %d %s", resp.StatusCode, body)
			}
			e := decode(t, body)
			if e.Method != tc.method || e.Path != tc.wantPath || e.Query != tc.wantQuery || e.Body != tc.body {
				t.Fatalf("backend saw %+v", e)
			}
			if strings.Join(e.Header["X-Custom"], ",") != "v1,v2" || len(e.Header["X-Forwarded-For"]) == 0 {
				t.Fatalf("headers %v", e.Header)
			}
			if resp.Header.Get("X-Backend") != "yes" {
				t.Fatalf("backend response headers not returned: %v", resp.Header)
			}
		})
	}
	// Backend status codes come back as they are.
	resp, _ := f.call("GET", api, "/x?status=418", "", nil)
	if resp.StatusCode != 418 {
		t.Fatalf("status = %d, want 418", resp.StatusCode)
	}
	// The gateway's own fields: X-Forwarded-For/-Proto/-Port replace the
	// client's (a prior X-Forwarded-For is kept in front), X-Amzn-Trace-Id
	// is the client's or a new X-Ray root; hop-by-hop fields stay behind.
	traceRoot := regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`)
	port := f.srv.URL[strings.LastIndexByte(f.srv.URL, ':')+1:] // the Host the client called
	for _, tc := range []struct {
		name                string
		hdr                 http.Header
		wantFor, wantTrace  string
		wantProto, wantPort string
	}{
		{"fresh", http.Header{"X-Forwarded-Proto": {"gopher"}, "Keep-Alive": {"timeout=5"}, "Te": {"trailers"}}, "127.0.0.1", "", "http", port},
		{"prior hops and trace", http.Header{"X-Forwarded-For": {"10.0.0.1"}, "X-Amzn-Trace-Id": {"Root=1-5f84c7a9-0123456789abcdef01234567"}},
			"10.0.0.1, 127.0.0.1", "Root=1-5f84c7a9-0123456789abcdef01234567", "http", port},
	} {
		_, body := f.call("GET", api, "/fwd", "", tc.hdr)
		e := decode(t, body)
		h := http.Header(e.Header)
		if got := h.Values("X-Forwarded-For"); len(got) != 1 || got[0] != tc.wantFor {
			t.Errorf("%s: X-Forwarded-For %q, want %q", tc.name, got, tc.wantFor)
		}
		if got := h.Values("X-Forwarded-Proto"); len(got) != 1 || got[0] != tc.wantProto || h.Get("X-Forwarded-Port") != tc.wantPort {
			t.Errorf("%s: X-Forwarded-Proto %q, -Port %q", tc.name, got, h.Get("X-Forwarded-Port"))
		}
		if got := h.Values("X-Amzn-Trace-Id"); len(got) != 1 || tc.wantTrace != "" && got[0] != tc.wantTrace || tc.wantTrace == "" && !traceRoot.MatchString(got[0]) {
			t.Errorf("%s: X-Amzn-Trace-Id %q", tc.name, got)
		}
		if h.Get("Keep-Alive") != "" || h.Get("Te") != "" {
			t.Errorf("%s: hop-by-hop fields forwarded: %v", tc.name, h)
		}
	}
}

// TestBackendDown: an unreachable backend is 500 Internal Server Error.
func TestBackendDown(t *testing.T) {
	t.Parallel()
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	url := b.URL
	b.Close()
	api := f.api(nil)
	f.route(api, "$default", f.proxy(api, url))
	f.stage(api, "$default", true, nil)
	resp, body := f.call("GET", api, "/x", "", nil)
	if resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
		t.Fatalf("= %d %s", resp.StatusCode, body)
	}
}

func writePEM(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRestart: a Portico restarted on the same data directory serves
// the HTTP APIs it had deployed (LoadAll at start-up).
func TestRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := echoBackend(t)
	f := start(t, porticotest.Options{DataDir: dir})
	api := f.api(nil)
	f.route(api, "GET /kept", f.proxy(api, b.URL))
	f.stage(api, "$default", true, nil)
	f.srv.Stop()
	g := start(t, porticotest.Options{DataDir: dir})
	resp, body := g.call("GET", api, "/kept", "", nil)
	if resp.StatusCode != 200 || decode(t, body).Path != "/kept" {
		t.Fatalf("after restart = %d %s", resp.StatusCode, body)
	}
}

// TestIntegrationTimeout: a backend slower than timeoutInMillis is 503
// {"message":"Service Unavailable"} (integrations-v2.md §7.4).
func TestIntegrationTimeout(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	f := start(t, porticotest.Options{})
	api := f.api(nil)
	integ := f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String(slow.URL), TimeoutInMillis: aws.Int32(50)})
	f.route(api, "$default", integ)
	f.stage(api, "$default", true, nil)
	resp, body := f.call("GET", api, "/slow", "", nil)
	if resp.StatusCode != 503 || body != `{"message":"Service Unavailable"}` {
		t.Fatalf("= %d %s", resp.StatusCode, body)
	}
}
