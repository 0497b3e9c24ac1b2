package lambda

import (
	"encoding/json"
	"strconv"
	"time"
)

// Error documents Portico writes on the function's behalf, shaped as
// Lambda's Invoke API returns them with X-Amz-Function-Error: Unhandled.

// errorDoc is {"errorType":…,"errorMessage":…}.
func errorDoc(errorType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errorType, message})
	return b
}

// timeoutDoc is the payload of an invoke that overran its timeout:
// {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error:
// Task timed out after 3.00 seconds"}. (Older runtimes reported only
// errorMessage "<date> <id> Task timed out after 3.00 seconds"; the
// current runtimes use the Sandbox.Timedout form.)
func timeoutDoc(requestID string, timeout time.Duration) []byte {
	return errorDoc("Sandbox.Timedout", "RequestId: "+requestID+" Error: Task timed out after "+seconds(timeout)+" seconds")
}

// seconds formats d as Lambda does in timeout messages: "3.00".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
}

// exitDoc is the payload of an invoke whose process exited:
// {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error:
// Runtime exited with error: exit status 1"}.
func exitDoc(requestID, state string) []byte {
	msg := "RequestId: " + requestID + " Error: Runtime exited without providing a reason"
	if state != "" && state != "exit status 0" {
		msg = "RequestId: " + requestID + " Error: Runtime exited with error: " + state
	}
	return errorDoc("Runtime.ExitError", msg)
}

// tooLargeDoc is the payload when the function's response exceeds
// MaxResponseSize.
func tooLargeDoc() []byte {
	return errorDoc("Function.ResponseSizeTooLarge",
		"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseSize)+" bytes).")
}

// errorPayload turns the body a runtime posted to …/error or /init/error
// into the Invoke error payload. A JSON object is passed through as the
// runtime wrote it (Lambda does not rewrite errorType, errorMessage,
// stackTrace or trace); anything else is wrapped so callers always get
// an object, with errorType from the Lambda-Runtime-Function-Error-Type
// header, else "Runtime.Unknown".
func errorPayload(body []byte, headerType string) []byte {
	if isJSONObject(body) {
		return body
	}
	if headerType == "" {
		headerType = "Runtime.Unknown"
	}
	return errorDoc(headerType, string(body))
}

// isJSONObject reports whether b is one valid JSON object.
func isJSONObject(b []byte) bool {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i < len(b) && b[i] == '{' && json.Valid(b)
}
