package lambdaproxy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// ErrMalformed is wrapped by ParseResponse errors for a function result
// that is not a valid proxy response; API Gateway answers 502
// {"message": "Internal server error"} (integrations-v1.md §9.3).
var ErrMalformed = errors.New("malformed Lambda proxy response")

// ErrBase64 is wrapped when isBase64Encoded is true, the client accepts
// binary, and the body is not valid base64; API Gateway answers 500.
var ErrBase64 = errors.New("lambda proxy response body is not valid base64")

// Response is a parsed proxy response.
type Response struct {
	StatusCode int
	// Header holds canonical header names; values from multiValueHeaders
	// come first, then the headers value (§9.3, observed merge).
	Header http.Header
	Body   []byte
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// ParseResponse parses a function's proxy response (integrations-v1.md
// §9.3). binaryAccepted says whether the first media type of the
// request's Accept header matches the API's binaryMediaTypes: only then
// is an isBase64Encoded body decoded; otherwise the base64 text is the
// body. A Content-Type of application/json is added when the function
// sets none.
func ParseResponse(payload []byte, binaryAccepted bool) (*Response, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || payload[0] != '{' {
		return nil, malformed("not a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, malformed("%v", err)
	}
	out := &Response{StatusCode: 200}
	var single map[string]json.RawMessage
	var multi map[string]json.RawMessage
	var body []byte
	isB64 := false
	for k, v := range raw {
		null := string(v) == "null"
		switch k {
		case "statusCode":
			if null {
				continue
			}
			code, err := parseStatus(v)
			if err != nil {
				return nil, err
			}
			out.StatusCode = code
		case "headers":
			if null {
				continue
			}
			if err := json.Unmarshal(v, &single); err != nil {
				return nil, malformed("headers is not an object")
			}
		case "multiValueHeaders":
			if null {
				continue
			}
			if err := json.Unmarshal(v, &multi); err != nil {
				return nil, malformed("multiValueHeaders is not an object")
			}
		case "body":
			if null {
				continue
			}
			var s string
			if v[0] != '"' || json.Unmarshal(v, &s) != nil {
				return nil, malformed("body is not a string")
			}
			body = []byte(s)
		case "isBase64Encoded":
			if null {
				continue
			}
			switch string(v) {
			case "true":
				isB64 = true
			case "false":
			default:
				return nil, malformed("isBase64Encoded is not a boolean")
			}
		default:
			return nil, malformed("unexpected key %q", k)
		}
	}
	h := make(http.Header, len(single)+len(multi)+1)
	for k, v := range multi {
		if string(v) == "null" {
			continue
		}
		var vs []string
		if len(v) == 0 || v[0] != '[' || json.Unmarshal(v, &vs) != nil {
			return nil, malformed("multiValueHeaders.%s is not a list of strings", k)
		}
		ck := http.CanonicalHeaderKey(k)
		h[ck] = append(h[ck], vs...)
	}
	for k, v := range single {
		var s string
		switch {
		case string(v) == "true" || string(v) == "false":
			s = string(v)
		case len(v) > 0 && v[0] == '"':
			if json.Unmarshal(v, &s) != nil {
				return nil, malformed("headers.%s is not a string", k)
			}
		case string(v) == "null":
			continue
		default:
			return nil, malformed("headers.%s is not a string", k)
		}
		ck := http.CanonicalHeaderKey(k)
		h[ck] = append(h[ck], s)
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = []string{"application/json"}
	}
	out.Header = h
	if isB64 && binaryAccepted && len(body) > 0 {
		dec := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
		n, err := base64.StdEncoding.Decode(dec, body)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBase64, err)
		}
		body = dec[:n]
	}
	out.Body = body
	return out, nil
}

// parseStatus accepts an integer or a numeric string (§9.3: "201" → 201).
func parseStatus(v json.RawMessage) (int, error) {
	s := string(v)
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, malformed("statusCode is not a number")
		}
		s = strings.TrimSpace(s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		// 200.0 is an integer in JSON terms.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int(f)) {
			return 0, malformed("statusCode %s is not an integer", v)
		}
		n = int(f)
	}
	if n < 100 || n > 599 {
		return 0, malformed("statusCode %d out of range", n)
	}
	return n, nil
}
