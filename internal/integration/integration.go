// Package integration defines how the data plane talks to a backend: the
// Integration interface every kind implements (MOCK, HTTP, HTTP_PROXY,
// AWS, AWS_PROXY), the integration request and response it exchanges, and
// the table of kinds wired in cmd/portico. Kinds live in subpackages.
package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/portico-dev/portico/internal/httpwire"
	"github.com/portico-dev/portico/internal/vpclink"
)

// Request is an integration request, fully rendered: the data plane has
// applied parameter mappings, templates and stage variables.
//
// Header and Body belong to the caller and are valid only during Invoke:
// an integration that keeps them longer copies them.
type Request struct {
	Method string
	// URL is the absolute backend URL (HTTP kinds) or the integration
	// uri (AWS kinds).
	URL    string
	Header http.Header
	// Extra are header fields sent after Header's, in order, in place of
	// any field of Header with the same (canonical) name: a proxy passes
	// its client's header as it is and adds what the gateway sets.
	// Hop-by-hop fields of Header are never sent.
	Extra []Field
	Body  []byte
	// Upstreams, when set, is where connections go (a VPC link's
	// targets); URL's host is still sent as the Host header and used as
	// the TLS server name (integrations-v1.md §3.1, §4.1).
	Upstreams *vpclink.Pool
	// Timeout is the integration's timeoutInMillis.
	Timeout time.Duration
	// Scratch, when set, is storage the caller lends for the answer.
	Scratch *Scratch
}

// NotForwarded reports the header fields a proxy never passes to its
// backend as the client sent them: framing (Content-Length,
// Transfer-Encoding), connection management (Connection, Keep-Alive, TE,
// Trailer, Upgrade, Proxy-Connection) and Host, which the upstream
// client sets itself.
func NotForwarded(k string) bool {
	switch k {
	case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Te", "Trailer", "Upgrade", "Proxy-Connection":
		return true
	}
	return false
}

// Field is one header field.
type Field struct{ Name, Value string }

// Overridden reports whether Extra replaces the Header field named k.
func (r *Request) Overridden(k string) bool {
	for _, f := range r.Extra {
		if f.Name == k {
			return true
		}
	}
	return false
}

// Scratch is storage a caller that makes one integration call after
// another (a pooled exchange) lends Invoke, so answers do not allocate
// anew each time: an integration may build the Response, its header map
// and its body in it. They then stay valid until the caller passes the
// same Scratch to another Invoke; the strings in the header stay valid
// for good.
type Scratch struct {
	Response Response
	Head     httpwire.Scratch
	Body     []byte
}

// maxScratchBody bounds the body storage a Scratch keeps.
const maxScratchBody = 64 << 10

// BodyBuf returns n bytes for a body: the Scratch's storage when it fits
// the limit a Scratch keeps, a new slice otherwise (s may be nil).
func (s *Scratch) BodyBuf(n int) []byte {
	if s == nil || n > maxScratchBody {
		return make([]byte, n)
	}
	if cap(s.Body) < n {
		s.Body = make([]byte, n, max(n, 512))
	}
	return s.Body[:n]
}

// Response is what the backend answered. It belongs to the caller, which
// may change it, Header included: an integration returns a fresh one
// each time, or one built in the Request's Scratch.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// SelectionValue, when non-nil, is what integration responses'
	// selectionPattern is matched against instead of the status code: the
	// Lambda errorMessage of an AWS (custom) Lambda integration, "" on
	// success (integrations-v1.md §13.3).
	SelectionValue *string
}

// FunctionInvoker runs a Lambda function synchronously. functionARN is
// the function's ARN, optionally qualified (":alias" or ":version"), as
// found between "functions/" and "/invocations" of an invoke URI.
type FunctionInvoker interface {
	InvokeFunction(ctx context.Context, functionARN string, payload []byte) (*FunctionResult, error)
}

// FunctionResult is a synchronous invocation's outcome.
type FunctionResult struct {
	Payload []byte
	// FunctionError is "Unhandled" (or "Handled") when the function
	// failed; Payload then holds {"errorMessage", "errorType", ...}.
	FunctionError string
}

// Integration sends an integration request to one kind of backend. It is
// built once per method at deploy time and is safe for concurrent use.
// Errors are *awserr.GatewayError values naming the gateway response AWS
// would give (timeout, unreachable backend, ...).
type Integration interface {
	Invoke(ctx context.Context, req *Request) (*Response, error)
}

// Func adapts a function to Integration.
type Func func(ctx context.Context, req *Request) (*Response, error)

// Invoke calls f.
func (f Func) Invoke(ctx context.Context, req *Request) (*Response, error) { return f(ctx, req) }

// MaxPayload is the largest request or response payload API Gateway
// carries (errors-and-gateway-responses.md §5).
const MaxPayload = 10 << 20
