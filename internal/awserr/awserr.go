// Package awserr holds the typed errors Portico answers with: management
// API errors (status, x-amzn-ErrorType, {"message": ...}) as control-plane.md
// §4 lists them, and the REST gateway response types of
// errors-and-gateway-responses.md §3. It knows nothing of HTTP servers.
package awserr

import (
	"fmt"
	"strings"
)

// Error is a management API error: an HTTP status, the error type sent in
// x-amzn-ErrorType, and the message sent as {"message": ...}.
type Error struct {
	Status  int
	Type    string
	Message string
	// Extra members merged into the JSON body (v2 NotFound carries
	// resourceType).
	Extra map[string]string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func newErr(status int, typ, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Status: status, Type: typ, Message: msg}
}

// BadRequest is 400 BadRequestException (semantic validation).
func BadRequest(format string, args ...any) *Error {
	return newErr(400, "BadRequestException", format, args...)
}

// NotFound is 404 NotFoundException.
func NotFound(format string, args ...any) *Error {
	return newErr(404, "NotFoundException", format, args...)
}

// Conflict is 409 ConflictException.
func Conflict(format string, args ...any) *Error {
	return newErr(409, "ConflictException", format, args...)
}

// Serialization is 400 SerializationException: the body is not the JSON
// shape the operation takes.
func Serialization(format string, args ...any) *Error {
	return newErr(400, "SerializationException", format, args...)
}

// Unknown is the answer to a path or method no operation serves.
func Unknown(format string, args ...any) *Error {
	return newErr(404, "UnknownOperationException", format, args...)
}

// Violation is one schema constraint failure of a ValidationException.
type Violation struct {
	Value      string // the offending value as AWS prints it
	Field      string // e.g. putIntegrationInput.type
	Constraint string // e.g. "Member must satisfy enum value set: [A, B]"
}

// Validation is 400 ValidationException with AWS's message:
// "1 validation error detected: Value 'X' at 'f' failed to satisfy
// constraint: ..." (control-plane.md §4).
func Validation(vs ...Violation) *Error {
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "Value '%s' at '%s' failed to satisfy constraint: %s", v.Value, v.Field, v.Constraint)
	}
	return &Error{Status: 400, Type: "ValidationException", Message: b.String()}
}

// Enum is a Violation for a value outside an enum.
func Enum(value, field string, set ...string) Violation {
	return Violation{Value: value, Field: field,
		Constraint: "Member must satisfy enum value set: [" + strings.Join(set, ", ") + "]"}
}

// Pattern is a Violation for a value that does not match a pattern.
func Pattern(value, field, pattern string) Violation {
	return Violation{Value: value, Field: field,
		Constraint: "Member must satisfy regular expression pattern: " + pattern}
}
