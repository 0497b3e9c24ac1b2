// Package lambda runs Lambda functions as local processes, without
// containers, and serves each process its own Lambda Runtime API
// (/2018-06-01/runtime/invocation/next, …/response, …/error,
// /init/error) on a loopback port.
//
// A Manager starts a function's process from its unpacked code on the
// first invoke (provided.*, go1.x: the bootstrap or handler executable;
// nodejs*.x, python3.*: Portico's embedded runtime loop run by the
// system node or python3), keeps it warm for later invokes, starts more
// processes for concurrent invokes up to the function's concurrency limit
// and queues beyond it, reaps idle processes, kills a process that
// overruns its timeout and replaces a process that crashes. Failures are
// reported as Lambda reports them: a Result whose FunctionError is
// "Unhandled" and whose Payload is the errorType/errorMessage document.
// Function output goes to the Manager's slog.Logger, tagged with the
// function name and request id; the last 4 KB per invoke are returned
// for LogType Tail.
//
// The package owns local function processes and the Runtime API only. It
// must not know API Gateway: events and proxy responses are opaque
// payloads here, and the management API (CreateFunction, Invoke) and
// the AWS_PROXY integration call Manager.Invoke.
package lambda
