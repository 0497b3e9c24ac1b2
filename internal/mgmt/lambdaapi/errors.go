package lambdaapi

import (
	"fmt"

	"github.com/portico-dev/portico/internal/awserr"
)

// lambdaErr is a Lambda API error. Lambda's error bodies are
// {"Type": "User", "Message": ...} (the SDK's typed errors read Message);
// "message" is written too for generic clients.
func lambdaErr(status int, typ, format string, args ...any) *awserr.Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	kind := "User"
	if status >= 500 {
		kind = "Service"
	}
	return &awserr.Error{Status: status, Type: typ, Message: msg,
		Extra: map[string]string{"Type": kind, "Message": msg}}
}

func notFound(format string, args ...any) *awserr.Error {
	return lambdaErr(404, "ResourceNotFoundException", format, args...)
}

func conflict(format string, args ...any) *awserr.Error {
	return lambdaErr(409, "ResourceConflictException", format, args...)
}

func invalidParam(format string, args ...any) *awserr.Error {
	return lambdaErr(400, "InvalidParameterValueException", format, args...)
}

func validation(value, field, constraint string) *awserr.Error {
	return lambdaErr(400, "ValidationException",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func functionNotFound(arn string) *awserr.Error {
	return notFound("Function not found: %s", arn)
}
