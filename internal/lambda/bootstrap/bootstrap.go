// Package bootstrap holds Portico's own runtime loops for the interpreted
// Lambda runtimes (Node.js and Python 3), embedded in the binary. Each loop
// speaks the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API, loads the
// handler named by $_HANDLER from $LAMBDA_TASK_ROOT and uses only its
// language's standard library. The package only carries the sources; the
// lambda package writes them to disk and runs them.
package bootstrap

import _ "embed"

//go:embed node/bootstrap.mjs
var node string

//go:embed python/bootstrap.py
var python string

// NodeJS returns the source of the Node.js runtime loop, an ES module run
// as `node bootstrap.mjs`.
func NodeJS() string { return node }

// Python returns the source of the Python 3 runtime loop, run as
// `python3 -u bootstrap.py`.
func Python() string { return python }
