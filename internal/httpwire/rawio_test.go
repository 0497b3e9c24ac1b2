package httpwire

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestRawIO: reads wait for data and honour deadlines, EOF ends a read,
// and a write larger than the socket buffers completes through the
// poller once the peer reads.
func TestRawIO(t *testing.T) {
	t.Parallel()
	c, s := tcpPair(t)
	rc, rs := NewRawIO(c), NewRawIO(s)
	if rc == nil || rs == nil {
		t.Fatal("no RawIO for a TCP connection")
	}
	s.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := rs.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	s.SetReadDeadline(time.Time{})

	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	done := make(chan error, 1)
	go func() {
		n, err := rc.Write(big)
		if err == nil && n != len(big) {
			err = io.ErrShortWrite
		}
		c.(*net.TCPConn).CloseWrite()
		done <- err
	}()
	got, err := io.ReadAll(rs)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, err := rs.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the peer's FIN: %d %v", n, err)
	}
	s.Close()
	time.Sleep(20 * time.Millisecond)
	if _, err := rc.Write([]byte("x")); err != nil {
		// the first write after a close may still succeed; a later one fails
		return
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := rc.Write([]byte("x")); err == nil {
		t.Fatal("writes to a closed peer keep succeeding")
	}
}

func TestRawIONotTCP(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if NewRawIO(a) != nil {
		t.Fatal("RawIO over a pipe")
	}
}

// TestRawIOAllocs: a read and a write allocate nothing.
func TestRawIOAllocs(t *testing.T) {
	c, s := tcpPair(t)
	rc, rs := NewRawIO(c), NewRawIO(s)
	msg, buf := []byte("ping"), make([]byte, 16)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := rc.Write(msg); err != nil {
			t.Fatal(err)
		}
		if n, err := rs.Read(buf); err != nil || n != len(msg) {
			t.Fatal(n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per write and read", allocs)
	}
}
