package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/httpapi"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/mgmt/apigwv2"
	"github.com/portico-dev/portico/internal/store"
)

// inProcess is an HTTP API server and its management mux over one
// in-memory store, without a listener: benchmarks call Serve directly.
type inProcess struct {
	srv *httpapi.Server
	mux *mgmt.Mux
}

func newInProcess(tb testing.TB) *inProcess {
	st := store.NewMemory()
	srv := httpapi.New(httpapi.Config{Store: st})
	tb.Cleanup(srv.Close)
	mux := mgmt.NewMux(nil)
	apigwv2.New(apigwv2.Config{Store: st, Publisher: srv}).Register(mux)
	return &inProcess{srv: srv, mux: mux}
}

func (p *inProcess) do(tb testing.TB, method, path string, in any) map[string]any {
	tb.Helper()
	b, _ := json.Marshal(in)
	rec := httptest.NewRecorder()
	p.mux.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(string(b))))
	if rec.Code >= 300 {
		tb.Fatalf("%s %s = %d %s", method, path, rec.Code, rec.Body)
	}
	var out map[string]any
	json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// setup makes an API with n routes GET /r{i}/items/{id} to backend and
// an auto-deployed $default stage.
func (p *inProcess) setup(tb testing.TB, backend string, n int) string {
	api := p.do(tb, "POST", "/v2/apis", map[string]any{"name": "bench", "protocolType": "HTTP"})["apiId"].(string)
	integ := p.do(tb, "POST", "/v2/apis/"+api+"/integrations", map[string]any{"integrationType": "HTTP_PROXY",
		"integrationMethod": "ANY", "integrationUri": backend, "payloadFormatVersion": "1.0"})["integrationId"].(string)
	for i := range n {
		p.do(tb, "POST", "/v2/apis/"+api+"/routes", map[string]any{"routeKey": fmt.Sprintf("GET /r%d/items/{id}", i),
			"target": "integrations/" + integ})
	}
	p.do(tb, "POST", "/v2/apis/"+api+"/stages", map[string]any{"stageName": "$default", "autoDeploy": true})
	return api
}

// nopWriter is a reusable ResponseWriter.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(s int)           { w.status = s }

func benchProxy(b *testing.B, routes int) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	b.Cleanup(backend.Close)
	p := newInProcess(b)
	api := p.setup(b, backend.URL, routes)
	path := fmt.Sprintf("/r%d/items/42", routes/2)
	req := httptest.NewRequest("GET", path+"?q=1", nil)
	req.Header.Set("User-Agent", "bench")
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		p.srv.Serve(w, req, api, path)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

// BenchmarkHTTPProxy is the whole data-plane path of an HTTP_PROXY route
// (stage selection, route match, request build, backend round trip over
// loopback, response) with 10 and 5,000 routes: the cost stays flat.
func BenchmarkHTTPProxy(b *testing.B) {
	for _, n := range []int{10, 5000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) { benchProxy(b, n) })
	}
}

// BenchmarkNotFound is the cost of a request no route matches (no
// backend call): the gateway's own per-request work.
func BenchmarkNotFound(b *testing.B) {
	p := newInProcess(b)
	api := p.setup(b, "http://127.0.0.1:1", 10)
	req := httptest.NewRequest("GET", "/nothing/here", nil)
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		p.srv.Serve(w, req, api, "/nothing/here")
	}
}
