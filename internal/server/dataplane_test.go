package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

type restAPI struct {
	srv  *porticotest.Server
	c    *apigateway.Client
	id   string
	root string
}

func newAPI(t testing.TB) *restAPI {
	t.Helper()
	srv := porticotest.Start(t)
	c := srv.APIGateway()
	api, err := c.CreateRestApi(context.Background(), &apigateway.CreateRestApiInput{Name: aws.String("dp")})
	if err != nil {
		t.Fatal(err)
	}
	return &restAPI{srv: srv, c: c, id: *api.Id, root: *api.RootResourceId}
}

func (a *restAPI) resource(t testing.TB, parent, part string) string {
	t.Helper()
	r, err := a.c.CreateResource(context.Background(), &apigateway.CreateResourceInput{RestApiId: &a.id, ParentId: &parent, PathPart: &part})
	if err != nil {
		t.Fatal(err)
	}
	return *r.Id
}

func (a *restAPI) method(t testing.TB, res, verb string, params map[string]bool, in apigateway.PutIntegrationInput) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: &verb,
		AuthorizationType: aws.String("NONE"), RequestParameters: params}); err != nil {
		t.Fatal(err)
	}
	in.RestApiId, in.ResourceId, in.HttpMethod = &a.id, &res, &verb
	if _, err := a.c.PutIntegration(ctx, &in); err != nil {
		t.Fatal(err)
	}
}

func (a *restAPI) response(t testing.TB, res, verb, status, pattern string, headers map[string]string, templates map[string]string) {
	t.Helper()
	ctx := context.Background()
	declared := map[string]bool{}
	for k := range headers {
		declared[k] = false
	}
	if _, err := a.c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: &verb,
		StatusCode: &status, ResponseParameters: declared}); err != nil {
		t.Fatal(err)
	}
	in := &apigateway.PutIntegrationResponseInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: &verb, StatusCode: &status,
		ResponseParameters: headers, ResponseTemplates: templates}
	if pattern != "" {
		in.SelectionPattern = &pattern
	}
	if _, err := a.c.PutIntegrationResponse(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func (a *restAPI) deploy(t testing.TB, stage string, vars map[string]string) {
	t.Helper()
	if _, err := a.c.CreateDeployment(context.Background(), &apigateway.CreateDeploymentInput{RestApiId: &a.id, StageName: &stage, Variables: vars}); err != nil {
		t.Fatal(err)
	}
}

func (a *restAPI) do(t testing.TB, method, path, body string, h http.Header) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	resp := a.srv.Invoke(t, method, a.id, "test", path, r, h)
	return resp, porticotest.ReadBody(t, resp)
}

// seen is what the backend received.
type seen struct {
	method, path, rawQuery, body string
	header                       http.Header
	host                         string
}

func echoBackend(t *testing.T, got *atomic.Pointer[seen]) *httptest.Server {
	t.Helper()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(&seen{method: r.Method, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery, body: string(body), header: r.Header.Clone(), host: r.Host})
		switch r.URL.Path {
		case "/slow":
			time.Sleep(2 * time.Second)
		case "/status/404":
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"nope"}`))
			return
		case "/status/503":
			w.WriteHeader(503)
			return
		}
		w.Header().Set("X-Backend", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("Server", "tiny")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(201)
		w.Write([]byte("echo:" + string(body)))
	}))
	t.Cleanup(b.Close)
	return b
}

// TestHTTPProxyPassThrough: method, path ({proxy} substituted), query,
// headers and body pass through both ways (integrations-v1.md §11).
func TestHTTPProxyPassThrough(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[seen]
	backend := echoBackend(t, &got)
	a := newAPI(t)
	proxy := a.resource(t, a.root, "{proxy+}")
	a.method(t, proxy, "ANY", map[string]bool{"method.request.path.proxy": true}, apigateway.PutIntegrationInput{
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY"), Uri: aws.String(backend.URL + "/base/{proxy}"),
		RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"},
	})
	a.deploy(t, "test", nil)

	resp, body := a.do(t, "POST", "/a/b%20c/d?x=1&x=2&y=%2F", `{"hello":"world"}`, http.Header{
		"X-Custom": {"v1", "v2"}, "Content-Type": {"application/json"}, "Connection": {"keep-alive"}})
	s := got.Load()
	if s == nil {
		t.Fatal("backend not called")
	}
	if s.method != "POST" || s.path != "/base/a/b%20c/d" || s.rawQuery != "x=1&x=2&y=%2F" || s.body != `{"hello":"world"}` {
		t.Fatalf("backend saw %s %s?%s %q", s.method, s.path, s.rawQuery, s.body)
	}
	if vs := s.header.Values("X-Custom"); len(vs) != 2 || vs[0] != "v1" || vs[1] != "v2" {
		t.Fatalf("multi-value header: %v", vs)
	}
	if s.header.Get("Content-Type") != "application/json" || s.header.Get("X-Forwarded-For") != "127.0.0.1" ||
		s.header.Get("X-Amzn-Apigateway-Api-Id") != a.id || s.header.Get("X-Amzn-Trace-Id") == "" {
		t.Fatalf("backend headers: %v", s.header)
	}
	if !strings.HasPrefix(backend.URL, "http://"+s.host) {
		t.Fatalf("Host %q, want the backend's", s.host)
	}
	// The response comes back as the backend sent it, with managed
	// headers remapped (§13.5).
	if resp.StatusCode != 201 || body != `echo:{"hello":"world"}` || resp.Header.Get("X-Backend") != "yes" ||
		len(resp.Header.Values("Set-Cookie")) != 2 || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("client got %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("x-amzn-Remapped-Server") != "tiny" || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("remapped/standard headers: %v", resp.Header)
	}
	// {proxy+} does not match its parent (§11.1): GET / is 403.
	resp, body = a.do(t, "GET", "/", "", nil)
	if resp.StatusCode != 403 || body != `{"message":"Missing Authentication Token"}` || resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("parent of proxy: %d %s", resp.StatusCode, body)
	}
}

// TestHTTPProxyFailures: timeoutInMillis → 504 Endpoint request timed out;
// unreachable backend → 500 Internal server error (integrations-v1.md §11).
func TestHTTPProxyFailures(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[seen]
	backend := echoBackend(t, &got)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close() // nothing listens here any more

	a := newAPI(t)
	slow := a.resource(t, a.root, "slow")
	a.method(t, slow, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy,
		IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(backend.URL + "/slow"), TimeoutInMillis: aws.Int32(200)})
	gone := a.resource(t, a.root, "down")
	a.method(t, gone, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy,
		IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(down + "/x")})
	a.deploy(t, "test", nil)

	start := time.Now()
	resp, body := a.do(t, "GET", "/slow", "", nil)
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Fatalf("timeout not enforced: took %v", el)
	}
	if resp.StatusCode != 504 || body != `{"message":"Endpoint request timed out"}` {
		t.Fatalf("timeout: %d %s", resp.StatusCode, body)
	}
	resp, body = a.do(t, "GET", "/down", "", nil)
	if resp.StatusCode != 500 || body != `{"message":"Internal server error"}` || resp.Header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Fatalf("backend down: %d %s %v", resp.StatusCode, body, resp.Header)
	}
}

// TestHTTPIntegrationResponses: non-proxy HTTP selects the integration
// response by selectionPattern against the backend status, whole-match,
// with the default as fallback (integrations-v1.md §13.3); client headers
// are not forwarded (§6.5); stage variables fill the uri (§3.1).
func TestHTTPIntegrationResponses(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[seen]
	backend := echoBackend(t, &got)
	a := newAPI(t)
	res := a.resource(t, a.root, "{code}")
	a.method(t, res, "GET", map[string]bool{"method.request.path.code": true}, apigateway.PutIntegrationInput{
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"),
		Uri:               aws.String("http://${stageVariables.host}/status/{code}"),
		RequestParameters: map[string]string{"integration.request.path.code": "method.request.path.code"},
	})
	a.response(t, res, "GET", "200", "", map[string]string{"method.response.header.X-From": "integration.response.header.X-Backend"}, nil)
	a.response(t, res, "GET", "404", `4\d{2}`, map[string]string{"method.response.header.X-Static": "'fixed'"},
		map[string]string{"application/json": `{"mapped":"not found"}`})
	a.response(t, res, "GET", "502", `5\d{2}`, nil, nil)
	a.deploy(t, "test", map[string]string{"host": strings.TrimPrefix(backend.URL, "http://")})

	for _, tc := range []struct {
		name, path string
		status     int
		body       string
		header     [2]string
	}{
		{"default response for 201 keeps backend body", "/201", 200, "echo:", [2]string{"X-From", "yes"}},
		{"4xx pattern selects 404 with template", "/404", 404, `{"mapped":"not found"}`, [2]string{"X-Static", "fixed"}},
		{"5xx pattern", "/503", 502, ``, [2]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := a.do(t, "GET", tc.path, "", http.Header{"X-Client": {"secret"}})
			if resp.StatusCode != tc.status || body != tc.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
			if tc.header[0] != "" && resp.Header.Get(tc.header[0]) != tc.header[1] {
				t.Fatalf("header %s = %q, want %q", tc.header[0], resp.Header.Get(tc.header[0]), tc.header[1])
			}
			s := got.Load()
			if s.header.Get("X-Client") != "" || s.header.Get("User-Agent") != "AmazonAPIGateway_"+a.id || s.header.Get("Accept") != "application/json" {
				t.Fatalf("non-proxy backend headers: %v", s.header)
			}
		})
	}
}

// TestDataPlaneLimitsAndRouting: 413 over 10 MB; required parameters;
// unknown method on a known resource is 403 (§11.2).
func TestDataPlaneLimitsAndRouting(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	items := a.resource(t, a.root, "items")
	a.method(t, items, "POST", map[string]bool{"method.request.querystring.q": true, "method.request.header.X-Id": true},
		apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	a.response(t, items, "POST", "200", "", nil, map[string]string{"application/json": `{"ok":1}`})
	a.deploy(t, "test", nil)

	resp, body := a.do(t, "POST", "/items", "", nil)
	if resp.StatusCode != 400 || body != `{"message":"Missing required request parameters: [X-Id, q]"}` {
		t.Fatalf("required params: %d %s", resp.StatusCode, body)
	}
	resp, body = a.do(t, "POST", "/items?q=1", "{}", http.Header{"X-Id": {"7"}})
	if resp.StatusCode != 200 || body != `{"ok":1}` {
		t.Fatalf("ok: %d %s", resp.StatusCode, body)
	}
	resp, _ = a.do(t, "DELETE", "/items?q=1", "", nil)
	if resp.StatusCode != 403 {
		t.Fatalf("method not defined: %d", resp.StatusCode)
	}
	big := strings.Repeat("x", 10<<20+1)
	resp, _ = a.do(t, "POST", "/items?q=1", big, http.Header{"X-Id": {"7"}})
	if resp.StatusCode != 413 {
		t.Fatalf("11 MB body: %d", resp.StatusCode)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
