package httpd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// start serves h on 127.0.0.1 and returns the address.
func start(t *testing.T, h http.Handler) (*Server, string) {
	t.Helper()
	return startServer(t, &Server{Handler: h})
}

// startServer serves s, configured before it starts, on 127.0.0.1.
func startServer(t *testing.T, s *Server) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s, ln.Addr().String()
}

// echo answers with what it saw of the request.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s %s %s host=%s cl=%d te=%v close=%v x=%q body=%q",
		r.Method, r.RequestURI, r.Proto, r.Host, r.ContentLength, r.TransferEncoding, r.Close, r.Header["X-Test"], b)
})

// exchange writes raw on a fresh connection and returns everything the
// server sends until it closes the connection (or 2 s pass).
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(c)
	return string(out)
}

// responses splits a stream of answers (each framed by Content-Length or
// chunked) with net/http's reader.
func responses(t *testing.T, stream string, method string) []*http.Response {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(stream))
	var out []*http.Response
	for {
		if _, err := br.Peek(1); err != nil {
			return out
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("reading answer %d: %v\nstream:\n%s", len(out)+1, err, stream)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		out = append(out, resp)
	}
}

func bodyOf(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// TestFraming drives raw requests through a real connection: message
// framing of RFC 9112 §6 (Content-Length, chunked, none), persistence
// (§9.3) and pipelining (§9.3.2).
func TestFraming(t *testing.T) {
	t.Parallel()
	_, addr := start(t, echo)
	cases := []struct {
		name  string
		raw   string
		want  []string // bodies of the answers, in order
		close bool     // the server closes after the last answer
	}{
		{"keep-alive and pipelining",
			"GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: 1\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			[]string{`GET /a?x=1 HTTP/1.1 host=h cl=0 te=[] close=false x=["1"] body=""`, `GET /b HTTP/1.1 host=h cl=0 te=[] close=true x=[] body=""`}, true},
		{"content-length body",
			"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
			[]string{`POST /p HTTP/1.1 host=h cl=5 te=[] close=true x=[] body="hello"`}, true},
		{"chunked body with extension and trailer",
			"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
			[]string{`POST /c HTTP/1.1 host=h cl=-1 te=[chunked] close=true x=[] body="hello world"`}, true},
		{"repeated header fields keep order, names canonical",
			"GET / HTTP/1.1\r\nHost: h\r\nx-test: a\r\nX-TEST: b\r\nConnection: close\r\n\r\n",
			[]string{`GET / HTTP/1.1 host=h cl=0 te=[] close=true x=["a" "b"] body=""`}, true},
		{"leading empty lines are ignored (§2.2), bare LF accepted",
			"\r\n\nGET /lf HTTP/1.1\nHost: h\nConnection: close\n\n",
			[]string{`GET /lf HTTP/1.1 host=h cl=0 te=[] close=true x=[] body=""`}, true},
		{"HTTP/1.0 closes by default",
			"GET /old HTTP/1.0\r\n\r\n",
			[]string{`GET /old HTTP/1.0 host= cl=0 te=[] close=true x=[] body=""`}, true},
		{"HTTP/1.0 keep-alive",
			"GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
			[]string{`GET /1 HTTP/1.0 host= cl=0 te=[] close=false x=[] body=""`, `GET /2 HTTP/1.0 host= cl=0 te=[] close=true x=[] body=""`}, true},
		{"absolute form sets Host",
			"GET http://abc.execute-api.local:4566/x HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n",
			[]string{`GET http://abc.execute-api.local:4566/x HTTP/1.1 host=abc.execute-api.local:4566 cl=0 te=[] close=true x=[] body=""`}, true},
		{"unread body is drained for the next request",
			"POST /skip HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			[]string{`POST /skip HTTP/1.1 host=h cl=3 te=[] close=false x=[] body="abc"`, `GET /next HTTP/1.1 host=h cl=0 te=[] close=true x=[] body=""`}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := exchange(t, addr, tc.raw)
			rs := responses(t, out, "GET")
			if len(rs) != len(tc.want) {
				t.Fatalf("%d answers, want %d:\n%s", len(rs), len(tc.want), out)
			}
			for i, r := range rs {
				if got := bodyOf(r); got != tc.want[i] || r.StatusCode != 200 {
					t.Errorf("answer %d: %d %q\nwant %q", i, r.StatusCode, got, tc.want[i])
				}
				if r.Header.Get("Date") == "" || r.ContentLength < 0 {
					t.Errorf("answer %d lacks Date or Content-Length: %v", i, r.Header)
				}
			}
		})
	}
}

// TestBadRequests: what the server refuses before any handler runs, and
// with which status (RFC 9112 §3, §5, §6.1, §6.3; RFC 9110 §10.1.1).
func TestBadRequests(t *testing.T) {
	t.Parallel()
	var called atomic.Int32
	_, addr := startServer(t, &Server{MaxHeaderBytes: 1 << 10,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called.Add(1) })})
	cases := []struct {
		name, raw string
		status    int
	}{
		{"missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"Host with whitespace", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"conflicting Content-Lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
		{"signed Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc", 400},
		{"unknown transfer coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"chunked after another coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"obsolete line folding", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2\r\n\r\n", 400},
		{"whitespace before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
		{"control character in value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n", 400},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", 400},
		{"field without colon", "GET / HTTP/1.1\r\nHost: h\r\nnocolon\r\n\r\n", 400},
		{"method not a token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"two spaces in request line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"relative target", "GET foo HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"asterisk outside OPTIONS", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"HTTP/2.0 over HTTP/1 framing", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"not HTTP", "GET / FTP/1.0\r\nHost: h\r\n\r\n", 400},
		{"head too large", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 2<<10) + "\r\n\r\n", 431},
		{"unknown expectation", "POST / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\na", 417},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := exchange(t, addr, tc.raw)
			rs := responses(t, out, "GET")
			if len(rs) != 1 || rs[0].StatusCode != tc.status || !rs[0].Close {
				t.Fatalf("want one %d and a close, got:\n%s", tc.status, out)
			}
		})
	}
	if n := called.Load(); n != 0 {
		t.Errorf("handler ran %d times for refused requests", n)
	}
}

// TestChunkedBodyErrors: a malformed chunked body reaches the handler as
// a read error and ends the connection.
func TestChunkedBodyErrors(t *testing.T) {
	t.Parallel()
	_, addr := start(t, echo)
	for _, raw := range []string{
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
	} {
		out := exchange(t, addr, raw)
		rs := responses(t, out, "GET")
		if len(rs) != 1 || rs[0].StatusCode != 500 || !rs[0].Close {
			t.Errorf("%q: want one 500 and a close, got:\n%s", raw, out)
		}
	}
}

// TestResponses: how answers are framed (RFC 9112 §6.3, §7.1; RFC 9110
// §9.3.2 HEAD, §15.3.5 204).
func TestResponses(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789", 1000)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			io.WriteString(w, `{"a":1}`)
		case "/big": // no length given: chunked
			io.WriteString(w, big[:3000])
			io.WriteString(w, big[3000:])
		case "/declared":
			w.Header().Set("Content-Length", "5")
			w.WriteHeader(201)
			io.WriteString(w, "hello")
		case "/nocontent":
			w.WriteHeader(204)
			if _, err := io.WriteString(w, "x"); err != http.ErrBodyNotAllowed {
				panic("body allowed on 204")
			}
		case "/flush":
			io.WriteString(w, "part1")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part2")
		case "/inject":
			w.Header().Set("X-Evil", "a\r\nSet-Cookie: pwned")
			w.Header()["Bad Name"] = []string{"x"}
			io.WriteString(w, "ok")
		case "/interim":
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(103)
			io.WriteString(w, "final")
		case "/short": // declares more than it writes: the connection closes
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "abc")
		}
	}))
	t.Run("known length in one answer", func(t *testing.T) {
		rs := responses(t, exchange(t, addr, "GET /small HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), "GET")
		if rs[0].ContentLength != 7 || bodyOf(rs[0]) != `{"a":1}` || rs[0].Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Fatalf("%+v", rs[0])
		}
	})
	t.Run("large unknown length is chunked", func(t *testing.T) {
		rs := responses(t, exchange(t, addr, "GET /big HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), "GET")
		if len(rs[0].TransferEncoding) != 1 || bodyOf(rs[0]) != big {
			t.Fatalf("%v %d", rs[0].TransferEncoding, rs[0].ContentLength)
		}
	})
	t.Run("large unknown length over HTTP/1.0 is close-delimited", func(t *testing.T) {
		out := exchange(t, addr, "GET /big HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		head, b, _ := strings.Cut(out, "\r\n\r\n")
		if b != big || strings.Contains(head, "chunked") || !strings.Contains(head, "Connection: close") {
			t.Fatalf("head %q, %d body bytes", head, len(b))
		}
	})
	t.Run("declared length and status", func(t *testing.T) {
		rs := responses(t, exchange(t, addr, "GET /declared HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), "GET")
		if rs[0].StatusCode != 201 || bodyOf(rs[0]) != "hello" {
			t.Fatalf("%+v", rs[0])
		}
	})
	t.Run("HEAD has the length but no body", func(t *testing.T) {
		out := exchange(t, addr, "HEAD /small HTTP/1.1\r\nHost: h\r\n\r\nGET /small HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		head, rest, _ := strings.Cut(out, "\r\n\r\n")
		if !strings.Contains(head, "Content-Length: 7") || !strings.HasPrefix(rest, "HTTP/1.1 200 OK\r\n") {
			t.Fatalf("%q", out)
		}
	})
	t.Run("204 has neither body nor length", func(t *testing.T) {
		out := exchange(t, addr, "GET /nocontent HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 204 No Content\r\n") || strings.Contains(out, "Content-Length") || !strings.HasSuffix(out, "\r\n\r\n") {
			t.Fatalf("%q", out)
		}
	})
	t.Run("flush commits a chunked answer", func(t *testing.T) {
		rs := responses(t, exchange(t, addr, "GET /flush HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), "GET")
		if bodyOf(rs[0]) != "part1part2" || len(rs[0].TransferEncoding) != 1 {
			t.Fatalf("%+v", rs[0])
		}
	})
	t.Run("header values cannot split the answer", func(t *testing.T) {
		rs := responses(t, exchange(t, addr, "GET /inject HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), "GET")
		if rs[0].Header.Get("Set-Cookie") != "" || rs[0].Header.Get("X-Evil") != "a  Set-Cookie: pwned" || bodyOf(rs[0]) != "ok" {
			t.Fatalf("%v", rs[0].Header)
		}
	})
	t.Run("1xx interim answer", func(t *testing.T) {
		out := exchange(t, addr, "GET /interim HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n") || !strings.HasSuffix(out, "final") {
			t.Fatalf("%q", out)
		}
	})
	t.Run("short body closes the connection", func(t *testing.T) {
		out := exchange(t, addr, "GET /short HTTP/1.1\r\nHost: h\r\n\r\nGET /small HTTP/1.1\r\nHost: h\r\n\r\n")
		if !strings.HasSuffix(out, "\r\n\r\nabc") {
			t.Fatalf("%q", out)
		}
	})
}

// TestExpectContinue: 100 Continue goes out when the handler reads the
// body (RFC 9110 §10.1.1); a handler that answers without reading it
// gets the connection closed after its answer.
func TestExpectContinue(t *testing.T) {
	t.Parallel()
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/read" {
			b, _ := io.ReadAll(r.Body)
			w.Write(b)
			return
		}
		w.WriteHeader(413)
	}))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /read HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "data")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || bodyOf(resp) != "data" {
		t.Fatalf("%v %v", resp, err)
	}
	io.WriteString(c, "POST /refuse HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 413 || !resp.Close {
		t.Fatalf("%v %v", resp, err)
	}
}

// TestPanicsAndHijack: a panicking handler costs its connection only;
// Hijack hands the raw connection over (for protocol upgrades).
func TestPanicsAndHijack(t *testing.T) {
	t.Parallel()
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("boom")
		case "/upgrade":
			w.Header().Set("Upgrade", "echo")
			w.Header().Set("Connection", "Upgrade")
			w.WriteHeader(http.StatusSwitchingProtocols)
			nc, rw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			defer nc.Close()
			line, _ := rw.ReadString('\n')
			rw.WriteString("echo: " + line)
			rw.Flush()
		default:
			io.WriteString(w, "fine")
		}
	}))
	if out := exchange(t, addr, "GET /panic HTTP/1.1\r\nHost: h\r\n\r\n"); out != "" {
		t.Fatalf("panic answered %q", out)
	}
	if out := exchange(t, addr, "GET /ok HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(out, "fine") {
		t.Fatalf("after a panic: %q", out)
	}
	out := exchange(t, addr, "GET /upgrade HTTP/1.1\r\nHost: h\r\n\r\nping\n")
	if !strings.HasPrefix(out, "HTTP/1.1 101 Switching Protocols\r\n") || !strings.HasSuffix(out, "\r\n\r\necho: ping\n") || strings.Contains(out, "Content-Length") {
		t.Fatalf("%q", out)
	}
}

// TestShutdown: idle connections close at once, a request in flight is
// answered (with Connection: close) before Shutdown returns.
func TestShutdown(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	entered := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(entered)
			<-release
		}
		io.WriteString(w, "done")
	})}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	addr := ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	ibr := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(ibr, nil); err != nil || bodyOf(resp) != "done" {
		t.Fatal(resp, err)
	}
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
	<-entered

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := ibr.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil || bodyOf(resp) != "done" || !resp.Close {
		t.Fatalf("in-flight answer: %v %v", resp, err)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
}

// TestNetHTTPClient: the standard client, with its connection reuse,
// talks to the server unchanged.
func TestNetHTTPClient(t *testing.T) {
	t.Parallel()
	_, addr := start(t, echo)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	defer client.CloseIdleConnections()
	for i := 0; i < 50; i++ {
		body := strings.Repeat("x", i*100)
		resp, err := client.Post("http://"+addr+"/p?i="+fmt.Sprint(i), "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("body=%q", body); !strings.HasSuffix(string(got), want) {
			t.Fatalf("request %d: %s", i, got)
		}
	}
}

func BenchmarkServe(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"message":"hello"}`)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Write(payload)
	})}
	go s.Serve(ln)
	defer s.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	req := []byte("GET /bench/path?q=1 HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
	}
}

// BenchmarkServeOne is the server's own work for one request and its
// answer, without the network: read and check the head, build the
// http.Request, call a handler that answers like the data plane (four
// headers, a 41-byte body), frame the answer.
func BenchmarkServeOne(b *testing.B) {
	raw := "GET /bench/path?q=1 HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n"
	payload := []byte(`{"message":"hello from the backend 0001"}`)
	srv := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Apigw-Requestid"] = []string{"MkPkuCgXPyv5bXz="}
		h["Content-Length"] = []string{"41"}
		w.WriteHeader(200)
		w.Write(payload)
	})}
	srv.init()
	defer srv.Close()
	src := strings.NewReader(raw)
	c := &conn{srv: srv, remote: "127.0.0.1:5000", tmpl: &http.Request{}}
	c.br = bufio.NewReaderSize(src, bufSize)
	c.bw = bufio.NewWriterSize(io.Discard, bufSize)
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(raw)
		c.br.Reset(src)
		if !c.serveOne() {
			b.Fatal("connection not kept")
		}
	}
}

// TestHeaderValuesWrittenSafely: a value holding CR, LF or NUL cannot
// split the answer (RFC 9110 §5.5); values go out trimmed, names that
// are not tokens not at all, and fields in name order.
func TestHeaderValuesWrittenSafely(t *testing.T) {
	t.Parallel()
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Split"] = []string{"a\r\nX-Injected: yes"}
		h["X-Nul"] = []string{"a\x00b"}
		h["X-Padded"] = []string{"  v  "}
		h["X-Plain"] = []string{"p"}
		h["Bad Name"] = []string{"x"}
		h["Content-Length"] = []string{"0"}
		w.WriteHeader(200)
	}))
	got := exchange(t, addr, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	head, _, _ := strings.Cut(got, "\r\n\r\n")
	want := []string{"X-Nul: a b", "X-Padded: v", "X-Plain: p", "X-Split: a  X-Injected: yes"}
	var xs []string
	for _, l := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(l, "X-") || strings.HasPrefix(l, "Bad") {
			xs = append(xs, l)
		}
	}
	if strings.Join(xs, "|") != strings.Join(want, "|") {
		t.Fatalf("fields %q, want %q\n%s", xs, want, got)
	}
}
