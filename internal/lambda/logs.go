package lambda

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"
)

// maxLine bounds a buffered partial line; longer output is split.
const maxLine = 16 << 10

// logSink reads a process's combined stdout and stderr from the read end
// of a pipe, logs it line by line tagged with the current request id and
// keeps the current invoke's tail.
//
// All reads happen under mu, either in the reader goroutine (when the
// poller reports data) or in sync (when an invoke completes), so output
// the function wrote before it posted its response is always attributed
// to that invoke.
type logSink struct {
	f   *os.File
	log *slog.Logger // already tagged with the function name

	mu      sync.Mutex
	buf     []byte // read buffer
	partial []byte // incomplete last line
	inv     *invocation
	eof     bool
}

func newLogSink(f *os.File, log *slog.Logger) *logSink {
	return &logSink{f: f, log: log, buf: make([]byte, 8<<10)}
}

// run reads until the pipe's write ends are all closed, then closes f.
func (s *logSink) run() {
	defer s.f.Close()
	rc, err := s.f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool { return s.drain(fd) })
}

// sync processes everything already written to the pipe.
func (s *logSink) sync() {
	rc, err := s.f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) { s.drain(fd) })
}

// drain reads all available output; it reports true at end of file.
func (s *logSink) drain(fd uintptr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eof {
		return true
	}
	for {
		n, err := syscall.Read(int(fd), s.buf)
		if n > 0 {
			s.consume(s.buf[:n])
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil || n == 0:
			if len(s.partial) > 0 {
				s.emit(s.partial)
				s.partial = s.partial[:0]
			}
			s.eof = true
			return true
		}
	}
}

// consume splits b into lines; the caller holds mu.
func (s *logSink) consume(b []byte) {
	for len(b) > 0 {
		i := indexNL(b)
		if i < 0 {
			s.partial = append(s.partial, b...)
			if len(s.partial) >= maxLine {
				s.emit(s.partial)
				s.partial = s.partial[:0]
			}
			return
		}
		if len(s.partial) > 0 {
			s.partial = append(s.partial, b[:i]...)
			s.emit(s.partial)
			s.partial = s.partial[:0]
		} else {
			s.emit(b[:i])
		}
		b = b[i+1:]
	}
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// emit logs one line and adds it to the current invoke's tail; the
// caller holds mu.
func (s *logSink) emit(line []byte) {
	var id string
	if inv := s.inv; inv != nil {
		id = inv.id
		if inv.tail != nil {
			inv.tail.write(line)
			inv.tail.write([]byte{'\n'})
		}
	}
	ctx := context.Background()
	if s.log.Enabled(ctx, slog.LevelInfo) {
		s.log.LogAttrs(ctx, slog.LevelInfo, string(line), slog.String("request_id", id))
	}
}

// attach makes inv the owner of the output that follows, starts its
// function timeout and its tail with Lambda's START line. It reports false if inv has already
// completed.
func (s *logSink) attach(inv *invocation, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv.state.Load() {
		return false
	}
	// Under mu, so complete (which detaches first) sees these.
	inv.start = now
	inv.timer.Reset(inv.timeout)
	s.inv = inv
	if inv.tail != nil {
		inv.tail.write([]byte("START RequestId: " + inv.id + " Version: " + inv.version + "\n"))
	}
	return true
}

// detach reads what inv's process has written so far, then stops
// attributing output to inv. An unterminated last line goes to inv's
// tail but stays buffered for the log.
func (s *logSink) detach(inv *invocation) {
	s.sync()
	s.mu.Lock()
	if s.inv == inv {
		if inv.tail != nil && len(s.partial) > 0 {
			inv.tail.write(s.partial)
		}
		s.inv = nil
	}
	s.mu.Unlock()
}

// tail keeps the last TailSize bytes written to it.
type tail struct{ b []byte }

func (t *tail) write(p []byte) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*TailSize {
		n := copy(t.b, t.b[len(t.b)-TailSize:])
		t.b = t.b[:n]
	}
}

func (t *tail) bytes() []byte {
	if len(t.b) > TailSize {
		return t.b[len(t.b)-TailSize:]
	}
	return t.b
}
