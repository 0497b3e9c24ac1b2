package lambda

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Lambda Runtime API, served to one process on its own loopback
// port (AWS_LAMBDA_RUNTIME_API). Paths and headers follow the
// "AWS Lambda runtime API" reference, version 2018-06-01.
const apiPrefix = "/2018-06-01/runtime/"

const (
	okBody         = `{"status":"OK"}`
	badIDBody      = `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`
	tooLargeBody   = `{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`
	notFoundBody   = `{"errorMessage":"Unknown Runtime API path","errorType":"NotFound"}`
	badMethodBody  = `{"errorMessage":"Method not allowed","errorType":"MethodNotAllowed"}`
	containerError = `{"errorMessage":"Container error. Non-recoverable state.","errorType":"ContainerError"}`
)

// ServeHTTP routes the process's Runtime API requests.
func (p *proc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if !strings.HasPrefix(path, apiPrefix) {
		writeJSON(w, http.StatusNotFound, notFoundBody)
		return
	}
	rest := path[len(apiPrefix):]
	var id, op string
	switch {
	case rest == "invocation/next":
		op = "next"
	case rest == "init/error":
		op = "init/error"
	case strings.HasPrefix(rest, "invocation/"):
		rest = rest[len("invocation/"):]
		if i := strings.IndexByte(rest, '/'); i > 0 {
			id, op = rest[:i], rest[i+1:]
		}
	}
	want := http.MethodPost
	switch op {
	case "next":
		want = http.MethodGet
	case "init/error", "response", "error":
	default:
		writeJSON(w, http.StatusNotFound, notFoundBody)
		return
	}
	if r.Method != want {
		writeJSON(w, http.StatusMethodNotAllowed, badMethodBody)
		return
	}
	switch op {
	case "next":
		p.next(w, r)
	case "init/error":
		p.initError(w, r)
	case "response":
		p.response(w, r, id)
	case "error":
		p.fnError(w, r, id)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// next long-polls for this process's next invocation.
func (p *proc) next(w http.ResponseWriter, r *http.Request) {
	for {
		select {
		case inv := <-p.work:
			now := time.Now()
			if !p.logs.attach(inv, now) {
				continue // completed (timed out) before delivery
			}
			deadline := now.Add(inv.timeout)
			h := w.Header()
			h["Content-Type"] = []string{"application/json"}
			h["Lambda-Runtime-Aws-Request-Id"] = []string{inv.id}
			h["Lambda-Runtime-Deadline-Ms"] = []string{strconv.FormatInt(deadline.UnixMilli(), 10)}
			h["Lambda-Runtime-Invoked-Function-Arn"] = []string{inv.arn}
			h["Lambda-Runtime-Trace-Id"] = []string{inv.trace}
			if inv.client != "" {
				h["Lambda-Runtime-Client-Context"] = []string{inv.client}
			}
			h["Content-Length"] = []string{strconv.Itoa(len(inv.payload))}
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(inv.payload)
			return
		case <-p.exited:
			writeJSON(w, http.StatusInternalServerError, containerError)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// running returns the delivered, not yet completed invocation id.
func (p *proc) running(id string) *invocation {
	p.mu.Lock()
	inv := p.cur
	p.mu.Unlock()
	if inv == nil || inv.id != id || inv.state.Load() {
		return nil
	}
	return inv
}

// readBody reads at most limit bytes; tooLarge reports a longer body.
func readBody(r *http.Request, limit int) (body []byte, tooLarge bool, err error) {
	size := 512
	if r.ContentLength > 0 && r.ContentLength <= int64(limit) {
		size = int(r.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	lr := io.LimitedReader{R: r.Body, N: int64(limit) + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if len(buf) > limit {
		return nil, true, nil
	}
	return buf, false, nil
}

// response completes the invocation with the function's result.
func (p *proc) response(w http.ResponseWriter, r *http.Request, id string) {
	inv := p.running(id)
	if inv == nil {
		writeJSON(w, http.StatusBadRequest, badIDBody)
		return
	}
	body, tooLarge, err := readBody(r, MaxResponseSize)
	switch {
	case tooLarge:
		writeJSON(w, http.StatusRequestEntityTooLarge, tooLargeBody)
		p.complete(inv, &Result{Payload: tooLargeDoc(), FunctionError: "Unhandled"}, true, "")
		return
	case err != nil:
		// The runtime went away mid-body; its exit is reported by wait.
		return
	}
	// A streamed response that failed midway carries the error in
	// trailers (Lambda-Runtime-Function-Error-Type/-Body).
	if t := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
		eb, _ := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
		writeJSON(w, http.StatusAccepted, okBody)
		p.complete(inv, &Result{Payload: errorPayload(eb, t), FunctionError: "Unhandled"}, true, "")
		return
	}
	p.complete(inv, &Result{Payload: body}, true, "")
	writeJSON(w, http.StatusAccepted, okBody)
}

// fnError completes the invocation with the error the handler raised.
// The process stays warm, as in Lambda.
func (p *proc) fnError(w http.ResponseWriter, r *http.Request, id string) {
	inv := p.running(id)
	if inv == nil {
		writeJSON(w, http.StatusBadRequest, badIDBody)
		return
	}
	body, tooLarge, err := readBody(r, MaxResponseSize)
	if err != nil {
		return
	}
	if tooLarge {
		body = nil
	}
	p.complete(inv, &Result{Payload: errorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")), FunctionError: "Unhandled"}, true, "")
	writeJSON(w, http.StatusAccepted, okBody)
}

// initError fails the pending invocation with the runtime's init error
// and retires the process.
func (p *proc) initError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readBody(r, MaxResponseSize)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return
	}
	writeJSON(w, http.StatusAccepted, okBody)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	p.mu.Lock()
	inv := p.cur
	p.gone = true
	p.mu.Unlock()
	if inv != nil {
		p.complete(inv, &Result{Payload: errorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")), FunctionError: "Unhandled"}, false, "")
	} else {
		p.kill()
	}
}
