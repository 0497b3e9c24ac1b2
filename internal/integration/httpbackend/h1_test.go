package httpbackend

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
)

// TestH1Framing: every response framing RFC 9112 §6.3 allows — Content-
// Length, chunked with trailers, close-delimited, no body for HEAD, 204
// and 304 — comes back whole, and 1xx responses are skipped.
func TestH1Framing(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/cl":
			w.Header().Set("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			w.Write([]byte("len:" + string(body) + ":" + r.URL.RawQuery + ":" + r.Host))
		case "/chunked":
			w.Header().Set("Trailer", "X-T")
			w.Write([]byte("part1-"))
			w.(http.Flusher).Flush()
			w.Write([]byte("part2"))
			w.Header().Set("X-T", "done")
		case "/nocontent":
			w.WriteHeader(204)
		case "/continue":
			w.WriteHeader(200)
			w.Write([]byte("after"))
		}
	}))
	defer backend.Close()
	// A raw server for framings net/http would not produce.
	raw, _ := net.Listen("tcp", "127.0.0.1:0")
	defer raw.Close()
	go func() {
		for {
			c, err := raw.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf)
				switch {
				case bytes.Contains(buf, []byte("/close")):
					c.Write([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"))
				case bytes.Contains(buf, []byte("/info")):
					c.Write([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"))
				case bytes.Contains(buf, []byte("/garbage")):
					c.Write([]byte("SMTP ready\r\n\r\n"))
				}
			}(c)
		}
	}()
	c := New(Options{})
	defer c.Close()
	b := c.For(false)
	ctx := context.Background()
	for _, tc := range []struct {
		name, method, url string
		body              string
		status            int
		want              string
	}{
		{"content-length, query, Host", "POST", backend.URL + "/cl?a=1&b=2", "hi", 200, "len:hi:a=1&b=2:" + strings.TrimPrefix(backend.URL, "http://")},
		{"chunked with trailers", "GET", backend.URL + "/chunked", "", 200, "part1-part2"},
		{"204 has no body", "DELETE", backend.URL + "/nocontent", "", 204, ""},
		{"HEAD has no body", "HEAD", backend.URL + "/cl", "", 200, ""},
		{"close-delimited", "GET", "http://" + raw.Addr().String() + "/close", "", 200, "until the end"},
		{"1xx skipped", "GET", "http://" + raw.Addr().String() + "/info", "", 201, "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 3; i++ { // reuse of pooled connections
				resp, err := b.Invoke(ctx, &integration.Request{Method: tc.method, URL: tc.url, Body: []byte(tc.body), Header: http.Header{}})
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.status || string(resp.Body) != tc.want {
					t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.want)
				}
				if tc.name == "content-length, query, Host" && len(resp.Header.Values("X-Multi")) != 2 {
					t.Fatalf("multi-value header: %v", resp.Header)
				}
			}
		})
	}
	if _, err := b.Invoke(ctx, &integration.Request{Method: "GET", URL: "http://" + raw.Addr().String() + "/garbage"}); err == nil {
		t.Fatal("a non-HTTP answer must fail")
	}
}

// headerRecorder is a backend that keeps the header of the last request
// it received.
func headerRecorder(t *testing.T) (*httptest.Server, *atomic.Pointer[http.Header]) {
	var got atomic.Pointer[http.Header]
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		got.Store(&h)
	}))
	t.Cleanup(backend.Close)
	return backend, &got
}

// TestH1HeaderInjection: a mapped header value with CR/LF never splits
// the request.
func TestH1HeaderInjection(t *testing.T) {
	t.Parallel()
	backend, got := headerRecorder(t)
	c := New(Options{})
	defer c.Close()
	_, err := c.For(false).Invoke(context.Background(), &integration.Request{Method: "GET", URL: backend.URL + "/",
		Header: http.Header{"X-Evil": {"a\r\nX-Injected: yes"}, "X-Good": {"fine"}, "Bad Name": {"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := *got.Load()
	if h.Get("X-Injected") != "" || h.Get("X-Evil") != "" || h.Get("X-Good") != "fine" {
		t.Fatalf("backend saw %v", h)
	}
}

// TestExtraFields: Extra fields follow the caller's header in place of
// its fields of the same name, hop-by-hop fields are never sent, and
// both upstream clients (Portico's and net/http's) send the same.
func TestExtraFields(t *testing.T) {
	t.Parallel()
	backend, got := headerRecorder(t)
	for _, opts := range []Options{{}, {NetHTTPOnly: true}} {
		c := New(opts)
		client := http.Header{"X-Forwarded-For": {"spoofed"}, "X-Keep": {"a", "b"}, "Keep-Alive": {"300"}, "Upgrade": {"h2c"}}
		_, err := c.For(false).Invoke(context.Background(), &integration.Request{Method: "GET", URL: backend.URL + "/",
			Header: client, Extra: []integration.Field{{Name: "X-Forwarded-For", Value: "10.0.0.1"}, {Name: "X-Extra", Value: "1"},
				{Name: "Connection", Value: "close"}}})
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		h := *got.Load()
		if v := h.Values("X-Forwarded-For"); len(v) != 1 || v[0] != "10.0.0.1" || h.Get("X-Extra") != "1" ||
			strings.Join(h.Values("X-Keep"), ",") != "a,b" || h.Get("Keep-Alive") != "" || h.Get("Upgrade") != "" {
			t.Errorf("net/http only %v: backend saw %v", opts.NetHTTPOnly, h)
		}
		if len(client) != 4 || client.Get("X-Forwarded-For") != "spoofed" {
			t.Errorf("the caller's header was changed: %v", client)
		}
	}
}

// TestH1StaleConnections: a pooled connection the backend closed is not
// used; a replayable request retries once on a fresh one.
func TestH1StaleConnections(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d", n.Add(1))
	}))
	backend.Config.IdleTimeout = 20 * time.Millisecond
	backend.Start()
	defer backend.Close()
	c := New(Options{})
	defer c.Close()
	b := c.For(false)
	for i := 0; i < 5; i++ {
		for _, m := range []string{"POST", "GET"} {
			if _, err := b.Invoke(context.Background(), &integration.Request{Method: m, URL: backend.URL + "/", Body: []byte("x")}); err != nil {
				t.Fatalf("round %d %s: %v", i, m, err)
			}
		}
		// The backend closes its idle connections; past freshFor the pool
		// looks before reusing one, so the POST (not replayable) never meets
		// a closed connection. The wait leaves the backend's close well
		// behind even on a loaded machine.
		time.Sleep(freshFor + 150*time.Millisecond)
	}
}

// TestH1Timeout: the integration timeout ends the exchange with 504's
// gateway error, on a fresh connection and on a pooled one whose read
// deadline is kept from the exchange before (it may fire at most 1/64 of
// the timeout late, never early).
func TestH1Timeout(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(500 * time.Millisecond)
		}
	}))
	defer backend.Close()
	c := New(Options{})
	defer c.Close()
	b := c.For(false)
	const timeout = 50 * time.Millisecond
	for i, path := range []string{"/slow", "/fast", "/slow"} {
		t0 := time.Now()
		_, err := b.Invoke(context.Background(), &integration.Request{Method: "GET", URL: backend.URL + path, Timeout: timeout})
		took := time.Since(t0)
		if path == "/fast" {
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			continue
		}
		ge, ok := err.(*awserr.GatewayError)
		if !ok || ge.Type != awserr.IntegrationTimeout {
			t.Fatalf("request %d: got %v", i, err)
		}
		if took < timeout || took > timeout+timeout/64+100*time.Millisecond {
			t.Fatalf("request %d timed out after %v, timeout %v", i, took, timeout)
		}
	}
}

func TestSplitHTTP(t *testing.T) {
	for _, tc := range []struct{ in, hostport, host, uri string }{
		{"http://a.example.com/x?y=1", "a.example.com:80", "a.example.com", "/x?y=1"},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", "127.0.0.1:8080", "/"},
		{"http://h?q", "h:80", "h", "/?q"},
		{"http://[::1]:9/p#frag", "[::1]:9", "[::1]:9", "/p"},
		{"http://[::1]/p", "[::1]:80", "[::1]", "/p"},
		{"http://h#frag", "h:80", "h", "/"},
		{"http://h:81/a?b#c", "h:81", "h:81", "/a?b"},
	} {
		hp, h, u, ok := splitHTTP(tc.in)
		if !ok || hp != tc.hostport || h != tc.host || u != tc.uri {
			t.Errorf("%s: %s %s %s %v", tc.in, hp, h, u, ok)
		}
	}
	for _, bad := range []string{"https://x/", "http://", "http://user@h/", "ftp://x", "http://h:/", "http://h:x/", "http://a:1:2/",
		"http://[::1/", "http://[::1]x/", "http://h /", "http://h/a b", "http://h\r\n/"} {
		if _, _, _, ok := splitHTTP(bad); ok {
			t.Errorf("%s accepted", bad)
		}
	}
}

func benchClient(b *testing.B, opts Options) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"message":"hello from the backend!!!!"}`))
	}))
	defer backend.Close()
	c := New(opts)
	defer c.Close()
	be := c.For(false)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := &integration.Request{Method: "GET", URL: backend.URL + "/hello", Header: http.Header{"Accept": {"*/*"}}}
		for pb.Next() {
			if _, err := be.Invoke(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUpstreamH1 and BenchmarkUpstreamNetHTTP compare Portico's
// upstream client with net/http's Transport on the same backend.
func BenchmarkUpstreamH1(b *testing.B)      { benchClient(b, Options{}) }
func BenchmarkUpstreamNetHTTP(b *testing.B) { benchClient(b, Options{NetHTTPOnly: true}) }

// TestH1ResponseBudget: a backend cannot make Portico read without bound
// (headers that never end).
func TestH1ResponseBudget(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Read(make([]byte, 4096))
		c.Write([]byte("HTTP/1.1 200 OK\r\nX-Big: "))
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for i := 0; i < 14; i++ {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	c := New(Options{})
	defer c.Close()
	_, err = c.For(false).Invoke(context.Background(), &integration.Request{Method: "GET", URL: "http://" + ln.Addr().String() + "/",
		Timeout: 5 * time.Second})
	if err == nil {
		t.Fatal("an endless header was accepted")
	}
}

// FuzzSplitHTTP: what splitHTTP accepts, url.Parse reads the same way:
// the same host, a port to dial, and an origin-form target that cannot
// split the request line.
func FuzzSplitHTTP(f *testing.F) {
	for _, s := range []string{"http://a.example.com/x?y=1", "http://[::1]:9/p#f", "http://h?q", "http://h:81", "http://u@h/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		hostport, host, uri, ok := splitHTTP(raw)
		if !ok {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			return // splitHTTP is looser about paths; net/http refuses those later
		}
		if u.Scheme != "http" || u.Host != host {
			t.Fatalf("%q: host %q, url.Parse %q", raw, host, u.Host)
		}
		if _, port, err := net.SplitHostPort(hostport); err != nil || port == "" {
			t.Fatalf("%q: address %q", raw, hostport)
		}
		if !strings.HasPrefix(uri, "/") || strings.ContainsAny(uri, " \r\n#") {
			t.Fatalf("%q: target %q", raw, uri)
		}
	})
}
