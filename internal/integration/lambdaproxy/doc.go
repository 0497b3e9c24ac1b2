// Package lambdaproxy is the Lambda side of REST integrations: it builds
// the AWS_PROXY input event (payload format 1.0, integrations-v1.md §9.1,
// §9.2), parses the function's proxy response (§9.3), and provides the
// AWS_PROXY and AWS (custom Lambda, §3.3, §13.3) integration kinds, which
// invoke a function through an integration.FunctionInvoker.
//
// It owns no functions and runs no processes: the invoker (the Lambda
// registry in mgmt/lambdaapi) does. It must not import the management
// plane. Event building and response parsing are pure functions that do
// no I/O and allocate little.
package lambdaproxy
