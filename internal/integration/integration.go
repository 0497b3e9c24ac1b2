// Package integration defines how the data plane talks to a backend: the
// Integration interface every kind implements (MOCK, HTTP, HTTP_PROXY,
// AWS, AWS_PROXY), the integration request and response it exchanges, and
// the table of kinds wired in cmd/portico. Kinds live in subpackages.
package integration

import (
	"context"
	"net/http"
	"time"

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
	Body   []byte
	// Upstreams, when set, is where connections go (a VPC link's
	// targets); URL's host is still sent as the Host header and used as
	// the TLS server name (integrations-v1.md §3.1, §4.1).
	Upstreams *vpclink.Pool
	// Timeout is the integration's timeoutInMillis.
	Timeout time.Duration
}

// Response is what the backend answered. It belongs to the caller, which
// may change it, Header included: an integration returns a fresh one
// each time.
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
