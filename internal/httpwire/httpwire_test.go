package httpwire

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestParse checks heads against RFC 9112 §2 and §5, table-driven.
func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, raw string
		line      string
		header    http.Header
		err       string
	}{
		{"request", "GET / HTTP/1.1\r\nhost: h\r\ncontent-TYPE:  text/plain \r\n\r\n", "GET / HTTP/1.1",
			http.Header{"Host": {"h"}, "Content-Type": {"text/plain"}}, ""},
		{"status line, repeated fields in order", "HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\n", "HTTP/1.1 200 OK",
			http.Header{"Set-Cookie": {"a", "b"}}, ""},
		{"bare LF, empty value", "X\nA:\nB-c-D: 1\n\n", "X", http.Header{"A": {""}, "B-C-D": {"1"}}, ""},
		{"leading empty lines skipped (§2.2)", "\r\n\r\nX\r\n\r\n", "X", http.Header{}, ""},
		{"obs-fold (§5.2)", "X\r\nA: 1\r\n 2\r\n\r\n", "", nil, "obsolete line folding"},
		{"space before colon (§5.1)", "X\r\nA : 1\r\n\r\n", "", nil, "invalid header field name"},
		{"empty name", "X\r\n: 1\r\n\r\n", "", nil, "malformed header field"},
		{"no colon", "X\r\nA\r\n\r\n", "", nil, "malformed header field"},
		{"NUL in value", "X\r\nA: a\x00\r\n\r\n", "", nil, "invalid header field value"},
		{"non-token name", "X\r\nA(b): 1\r\n\r\n", "", nil, "invalid header field name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			buf, err := ReadHead(bufio.NewReader(strings.NewReader(tc.raw+"rest")), nil, 1<<10)
			if err != nil {
				t.Fatal(err)
			}
			h, err := Parse(buf)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err || !errors.Is(err, ErrMalformed) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || h.Line != tc.line || !reflect.DeepEqual(h.Header, tc.header) {
				t.Fatalf("got %q %v %v", h.Line, h.Header, err)
			}
		})
	}
}

func TestReadHeadLimits(t *testing.T) {
	t.Parallel()
	long := "X\r\nA: " + strings.Repeat("a", 100) + "\r\n\r\n"
	if _, err := ReadHead(bufio.NewReaderSize(strings.NewReader(long), 16), nil, 50); err != ErrTooLarge {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	// Lines longer than the reader's buffer are assembled.
	buf, err := ReadHead(bufio.NewReaderSize(strings.NewReader(long), 16), nil, 1<<10)
	if err != nil || string(buf) != long {
		t.Fatalf("%q %v", buf, err)
	}
	if _, err := ReadHead(bufio.NewReader(strings.NewReader(strings.Repeat("\r\n", 100))), nil, 50); err != ErrTooLarge {
		t.Fatalf("endless empty lines: %v", err)
	}
	if _, err := ReadHead(bufio.NewReader(strings.NewReader("X\r\nA: 1\r\n")), nil, 50); err != io.EOF {
		t.Fatalf("cut short: %v", err)
	}
}

func TestHasToken(t *testing.T) {
	t.Parallel()
	if !HasToken([]string{"keep-alive, Close"}, "close") || HasToken([]string{"closed"}, "close") || !HasToken([]string{"a", " b "}, "B") {
		t.Fatal("HasToken")
	}
}

// FuzzParse: no head panics the parser, and every name it accepts is a
// canonical token whose values hold no line breaks.
func FuzzParse(f *testing.F) {
	f.Add("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n")
	f.Add("HTTP/1.1 200 OK\r\nset-cookie: a\r\nSet-Cookie: b\r\n\r\n")
	f.Add("\r\nX\nA:\n\n")
	f.Add("X\r\nA: 1\r\n 2\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		buf, err := ReadHead(bufio.NewReaderSize(strings.NewReader(raw), 16), nil, 4<<10)
		if err != nil {
			return
		}
		h, err := Parse(buf)
		if err != nil {
			return
		}
		// A Scratch that parsed another head first gives the same result.
		var s Scratch
		s.Parse([]byte("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"))
		if h2, err := s.Parse(append([]byte(nil), buf...)); err != nil || !reflect.DeepEqual(h2.Header, h.Header) || h2.Line != h.Line {
			t.Fatalf("scratch %v %v, fresh %v", h2.Header, err, h.Header)
		}
		if strings.ContainsAny(h.Line, "\n") {
			t.Fatalf("line %q", h.Line)
		}
		// ParseRequest: the same fields, Host taken out and counted.
		checkParseRequest(t, buf, h)
		for k, vs := range h.Header {
			if !ValidFieldName(k) || textproto.CanonicalMIMEHeaderKey(k) != k {
				t.Fatalf("name %q", k)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00") || strings.TrimSpace(v) != v {
					t.Fatalf("value %q", v)
				}
			}
		}
	})
}

// BenchmarkParse reads and parses a request head, with a fresh header
// map (Parse) and with a connection's Scratch.
func BenchmarkParse(b *testing.B) {
	raw := "GET /bench/path?q=1 HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nUser-Agent: wrk\r\nAccept: */*\r\nContent-Type: application/json\r\n\r\n"
	for _, scratch := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "scratch"}[scratch], func(b *testing.B) {
			r := strings.NewReader(raw)
			br := bufio.NewReader(r)
			var buf []byte
			var s *Scratch
			if scratch {
				s = new(Scratch)
			}
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(raw)
				br.Reset(r)
				buf, _ = ReadHead(br, buf, 1<<16)
				if _, err := s.Parse(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestContentLength(t *testing.T) {
	for _, n := range []int{0, 41, 1023, 1024, 5000} {
		if got := ContentLength(n); len(got) != 1 || got[0] != strconv.Itoa(n) {
			t.Fatalf("ContentLength(%d) = %q", n, got)
		}
	}
	if testing.AllocsPerRun(10, func() { ContentLength(41) }) != 0 {
		t.Fatal("a small length allocates")
	}
}

// TestParseFramingFields: Head.Has lists exactly the framing fields the
// head holds, whatever their spelling.
func TestParseFramingFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw  string
		want Fields
	}{
		{"GET / HTTP/1.1\r\nhost: h\r\nX-Host: y\r\n\r\n", HasHost},
		{"POST / HTTP/1.1\r\nHost: h\r\nCONTENT-LENGTH: 3\r\nconnection: close\r\n\r\n", HasHost | HasContentLength | HasConnection},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", HasTransferEncoding | HasExpect},
		{"HTTP/1.1 204 No Content\r\nContent-Lengths: 1\r\nHosts: x\r\n\r\n", 0},
	}
	for _, tc := range cases {
		buf, err := ReadHead(bufio.NewReader(strings.NewReader(tc.raw)), nil, 1<<10)
		if err != nil {
			t.Fatal(err)
		}
		h, err := Parse(buf)
		if err != nil || h.Has != tc.want {
			t.Errorf("%q: Has %05b, want %05b (%v)", tc.raw, h.Has, tc.want, err)
		}
	}
}

// TestScratchParse: a Scratch gives every head the Header a fresh Parse
// gives it, whatever the heads before it held, and after the first head
// costs only the head's string.
func TestScratchParse(t *testing.T) {
	heads := []string{
		"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nA: 3\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nSet-Cookie: b\r\nX: y\r\n\r\n",
		"X\r\n" + strings.Repeat("F: v\r\n", 100) + "\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
	}
	var s Scratch
	for _, raw := range heads {
		want, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Parse([]byte(raw))
		if err != nil || got.Line != want.Line || got.Has != want.Has || !reflect.DeepEqual(got.Header, want.Header) {
			t.Fatalf("%q: scratch %v %v, fresh %v", raw, got.Header, err, want.Header)
		}
	}
	buf := []byte("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\nAccept: */*\r\n\r\n")
	if n := testing.AllocsPerRun(100, func() { s.Parse(buf) }); n != 1 {
		t.Errorf("%v allocations per head with a Scratch, want 1 (the head's string)", n)
	}
}

// checkParseRequest checks that ParseRequest of buf gives fresh's fields
// with Host taken out of the Header and into Host and Hosts.
func checkParseRequest(t *testing.T, buf []byte, fresh Head) {
	t.Helper()
	var s Scratch
	got, err := s.ParseRequest(append([]byte(nil), buf...))
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	want := fresh.Header.Clone()
	hosts := want["Host"]
	delete(want, "Host")
	if len(want) == 0 {
		want = http.Header{}
	}
	if !reflect.DeepEqual(got.Header, want) || got.Hosts != len(hosts) || len(hosts) > 0 && got.Host != hosts[0] || got.Has != fresh.Has {
		t.Fatalf("ParseRequest %v host %q×%d, want %v host %q", got.Header, got.Host, got.Hosts, want, hosts)
	}
}

// TestParseRequestHost: a request's Host fields (RFC 9112 §3.2) are
// counted and the first kept, out of the Header, whatever their case.
func TestParseRequestHost(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nhost: a\r\nX: 1\r\n\r\n",
		"GET / HTTP/1.1\r\nHOST: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.0\r\nX-Host: y\r\n\r\n",
	} {
		fresh, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		checkParseRequest(t, []byte(raw), fresh)
	}
}
