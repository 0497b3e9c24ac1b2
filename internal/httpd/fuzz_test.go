package httpd

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzReadRequest feeds arbitrary bytes to the request reader and the
// body framing: nothing panics, an accepted request has a method, a URL
// and a consistent length, and reading its body ends.
func FuzzReadRequest(f *testing.F) {
	f.Add("GET /a?b=1 HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Add("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
	f.Add("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n")
	f.Add("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
	f.Add("OPTIONS * HTTP/1.0\r\n\r\n")
	f.Add("GET http://x.execute-api.y/p HTTP/1.1\r\nHost: z\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		c := &conn{srv: &Server{MaxHeaderBytes: 4 << 10}, tmpl: &http.Request{}, remote: "fuzz"}
		c.br = bufio.NewReaderSize(strings.NewReader(raw), 64)
		c.bw = bufio.NewWriter(io.Discard)
		q, herr := c.readRequest()
		if herr != nil {
			return
		}
		r := &q.r
		if r.Method == "" || r.URL == nil || r.Body == nil || r.ContentLength < -1 {
			t.Fatalf("accepted %+v", r)
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		if r.ContentLength >= 0 && n > r.ContentLength {
			t.Fatalf("read %d body bytes of %d", n, r.ContentLength)
		}
		q.body.drain()
	})
}

// FuzzPlainTarget: the fast path agrees with url.ParseRequestURI.
func FuzzPlainTarget(f *testing.F) {
	for _, s := range []string{"/", "/a/b?c=d", "/a%20b", "/a?b#c", "/é", "/a:b@c!$&'()*+,;=", "/?", "//x?y?z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		path, query, ok := plainTarget(target)
		if !ok {
			return
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("%q: fast path accepted, ParseRequestURI: %v", target, err)
		}
		if u.Path != path || u.RawQuery != query || u.RawPath != "" || u.EscapedPath() != path || u.Host != "" || u.Scheme != "" {
			t.Fatalf("%q: fast %q %q, parser %+v", target, path, query, u)
		}
	})
}

// FuzzAgainstNetHTTP: where both net/http's request reader and ours
// accept a request, they agree on what it says.
func FuzzAgainstNetHTTP(f *testing.F) {
	f.Add("GET /a?b=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
	f.Add("POST /p HTTP/1.1\r\nHost: h:80\r\nContent-Length: 3\r\n\r\nabc")
	f.Add("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	f.Add("GET http://x/p?q HTTP/1.1\r\nHost: y\r\n\r\n")
	f.Add("GET /%41b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		want, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		wantBody, werr := io.ReadAll(want.Body)
		c := &conn{srv: &Server{MaxHeaderBytes: 1 << 20}, tmpl: &http.Request{}, remote: "fuzz"}
		c.br = bufio.NewReaderSize(strings.NewReader(raw), 64)
		c.bw = bufio.NewWriter(io.Discard)
		q, herr := c.readRequest()
		if herr != nil {
			return // stricter than net/http is allowed
		}
		got := &q.r
		gotBody, gerr := io.ReadAll(got.Body)
		if got.Method != want.Method || got.RequestURI != want.RequestURI || got.Host != want.Host ||
			got.URL.String() != want.URL.String() || got.ProtoMinor != want.ProtoMinor || got.Close != want.Close ||
			got.ContentLength != want.ContentLength {
			t.Fatalf("request %q:\nours %s %s %q %q minor=%d close=%v cl=%d\nnet/http %s %s %q %q minor=%d close=%v cl=%d", raw,
				got.Method, got.RequestURI, got.Host, got.URL, got.ProtoMinor, got.Close, got.ContentLength,
				want.Method, want.RequestURI, want.Host, want.URL, want.ProtoMinor, want.Close, want.ContentLength)
		}
		if (werr == nil) != (gerr == nil) || werr == nil && string(gotBody) != string(wantBody) {
			t.Fatalf("request %q: body %q %v, net/http %q %v", raw, gotBody, gerr, wantBody, werr)
		}
		for k, v := range want.Header {
			if strings.Join(got.Header[k], "\x00") != strings.Join(v, "\x00") {
				t.Fatalf("request %q: header %s = %q, net/http %q", raw, k, got.Header[k], v)
			}
		}
		if len(got.Header) != len(want.Header) {
			t.Fatalf("request %q: headers %v, net/http %v", raw, got.Header, want.Header)
		}
	})
}
