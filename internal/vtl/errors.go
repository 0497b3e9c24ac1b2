package vtl

import (
	"errors"
	"strconv"
)

// ParseError reports a template that does not parse. Line and Col are
// 1-based and count characters, like Velocity's messages.
type ParseError struct {
	Line, Col int
	Msg       string // what was found, e.g. `"-1"` or `<EOF>`
}

func (e *ParseError) Error() string {
	return "Encountered " + e.Msg + " at line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Col)
}

// RenderError reports a failure while rendering: a method that threw, a
// limit that was exceeded. Err is the cause (errors.Is works with the
// limit sentinels and host objects' errors).
type RenderError struct {
	Line, Col int
	Err       error
}

func (e *RenderError) Error() string {
	return "render error at line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Col) + ": " + e.Err.Error()
}

func (e *RenderError) Unwrap() error { return e.Err }

// Limit errors; a render that exceeds a limit fails with a *RenderError
// wrapping one of these.
var (
	// ErrIterationLimit: a #foreach ran more iterations than
	// Options.MaxIterations, or the render more than Options.MaxTotalIterations.
	ErrIterationLimit = errors.New("vtl: too many #foreach iterations")
	// ErrDepthLimit: macros or #define blocks nested deeper than Options.MaxDepth.
	ErrDepthLimit = errors.New("vtl: macro recursion too deep")
	// ErrOutputLimit: the output (or a string built by the template) grew
	// past Options.MaxOutput bytes.
	ErrOutputLimit = errors.New("vtl: output too large")
)

// methodError is a Java exception thrown by a built-in method.
type methodError struct{ msg string }

func (e *methodError) Error() string { return e.msg }

func throw(msg string) error { return &methodError{msg} }
