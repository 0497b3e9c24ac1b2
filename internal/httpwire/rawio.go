package httpwire

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// RawIO reads and writes a TCP connection with direct non-blocking
// system calls, waiting through the runtime's poller (and so honouring
// the connection's deadlines) only when the socket is not ready.
//
// net.Conn's own Read and Write tell the scheduler before every system
// call that the goroutine may block. On a non-blocking socket it never
// does; but a loopback write runs the receiver's TCP processing inline
// and takes long enough that the runtime's monitor hands the processor
// to another thread, waking it for nothing, thousands of times a second.
// For a proxy that does four such calls per request that handoff costs
// more than the request. RawIO keeps the goroutine on its processor.
//
// Close, deadlines and everything else stay on the net.Conn. One
// goroutine may read while another writes, as with a net.Conn.
type RawIO struct {
	rc     syscall.RawConn
	rd, wr rawOp
}

// rawOp is one direction's call state: the callback handed to the
// RawConn is bound once and its arguments and results pass through the
// fields, so a call allocates nothing.
type rawOp struct {
	fn    func(fd uintptr) bool
	buf   []byte
	n     int
	errno syscall.Errno
}

// NewRawIO returns a RawIO for c, or nil when c has no file descriptor
// to use (then use c itself).
func NewRawIO(c net.Conn) *RawIO {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &RawIO{rc: rc}
	r.rd.fn, r.wr.fn = r.rd.read, r.wr.write
	return r
}

// Read reads at most len(p) bytes; it returns io.EOF at the end of the
// stream.
func (r *RawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	op := &r.rd
	op.buf, op.n, op.errno = p, 0, 0
	err := r.rc.Read(op.fn)
	n, errno := op.n, op.errno
	op.buf = nil
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p unless an error (a deadline, a reset) stops it.
func (r *RawIO) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	op := &r.wr
	op.buf, op.n, op.errno = p, 0, 0
	err := r.rc.Write(op.fn)
	n, errno := op.n, op.errno
	op.buf = nil
	switch {
	case err != nil:
		return n, err
	case errno != 0:
		return n, &net.OpError{Op: "write", Net: "tcp", Err: errno}
	}
	return n, nil
}

// read is the RawConn callback of Read: false asks the poller to wait
// until the socket is readable.
func (op *rawOp) read(fd uintptr) bool {
	for {
		r1, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&op.buf[0])), uintptr(len(op.buf)))
		switch e {
		case 0:
			op.n = int(r1)
			return true
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			op.errno = e
			return true
		}
	}
}

// write is the RawConn callback of Write; it keeps op.n across waits.
func (op *rawOp) write(fd uintptr) bool {
	for op.n < len(op.buf) {
		r1, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&op.buf[op.n])), uintptr(len(op.buf)-op.n))
		switch e {
		case 0:
			op.n += int(r1)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			op.errno = e
			return true
		}
	}
	return true
}
