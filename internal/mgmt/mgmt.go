// Package mgmt is the REST-JSON plumbing shared by Portico's management
// APIs: routing of operation paths, strict JSON decoding, AWS patch
// operations, pagination and AWS error bodies (control-plane.md §1–§4).
// The operations themselves live in subpackages (apigw, apigwv2, ...).
package mgmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
)

// MaxBodyBytes bounds a management request body (an OpenAPI import can be
// large, so this is generous; data-plane limits are separate).
const MaxBodyBytes = 16 << 20

// Params are the unescaped path labels of a matched operation.
type Params map[string]string

// HandlerFunc serves one operation. It returns the status and value to
// encode as JSON (nil for an empty body), or an error; *awserr.Error values
// become AWS error responses, anything else a 500.
type HandlerFunc func(r *http.Request, p Params) (status int, body any, err error)

type route struct {
	method string
	segs   []string // literal or {label}
	h      HandlerFunc
}

// Mux routes management operations by method and path pattern. Patterns
// are matched against the escaped path, then each label is unescaped
// (control-plane.md wire notes: labels arrive percent-encoded).
type Mux struct {
	routes []route
	log    *slog.Logger
}

// NewMux returns an empty Mux that logs failures to log.
func NewMux(log *slog.Logger) *Mux { return &Mux{log: log} }

// Handle registers h for method and pattern, e.g.
// "GET /restapis/{restapi_id}/resources".
func (m *Mux) Handle(method, pattern string, h HandlerFunc) {
	m.routes = append(m.routes, route{method: method, segs: splitPath(pattern), h: h})
}

// Match reports whether some operation is registered under path (any method).
func (m *Mux) Match(path string) bool {
	segs := splitPath(path)
	for i := range m.routes {
		if _, ok := m.routes[i].match(segs); ok {
			return true
		}
	}
	return false
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func (rt *route) match(segs []string) (Params, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var ps Params
	for i, s := range rt.segs {
		if len(s) > 1 && s[0] == '{' {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return nil, false
			}
			if ps == nil {
				ps = Params{}
			}
			ps[s[1:len(s)-1]] = v
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return ps, true
}

// ServeHTTP dispatches to the matching operation. A path no operation
// serves, or a method the path does not take, is a 4xx, never a 5xx.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.EscapedPath())
	pathKnown := false
	for i := range m.routes {
		rt := &m.routes[i]
		ps, ok := rt.match(segs)
		if !ok {
			continue
		}
		pathKnown = true
		if rt.method != r.Method {
			continue
		}
		m.serve(w, r, rt.h, ps)
		return
	}
	if pathKnown {
		WriteError(w, &awserr.Error{Status: 405, Type: "MethodNotAllowedException",
			Message: fmt.Sprintf("The method %s is not allowed on %s", r.Method, r.URL.Path)})
		return
	}
	WriteError(w, awserr.Unknown("Unknown operation %s %s", r.Method, r.URL.Path))
}

func (m *Mux) serve(w http.ResponseWriter, r *http.Request, h HandlerFunc, ps Params) {
	defer func() {
		if v := recover(); v != nil {
			m.log.Error("management operation panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
			WriteError(w, errors.New("internal error"))
		}
	}()
	status, body, err := h(r, ps)
	if err != nil {
		var ae *awserr.Error
		if !errors.As(err, &ae) {
			m.log.Error("management operation failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		WriteError(w, err)
		return
	}
	WriteJSON(w, status, body)
}

// WriteJSON writes v as the JSON body with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		WriteError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// WriteError writes err as an AWS error: status, x-amzn-ErrorType and a
// {"message": ...} body. Errors that are not *awserr.Error are 500s.
func WriteError(w http.ResponseWriter, err error) {
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		ae = &awserr.Error{Status: 500, Type: "InternalFailure", Message: "An internal error occurred"}
	}
	body := map[string]string{"message": ae.Message}
	for k, v := range ae.Extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h["x-amzn-ErrorType"] = []string{ae.Type}
	w.WriteHeader(ae.Status)
	w.Write(b)
}

// Decode reads the JSON request body into v strictly: malformed JSON, a
// wrong JSON type or a member the operation does not take is a 400
// SerializationException (control-plane.md §4). An empty body decodes
// to nothing.
func Decode(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return awserr.Serialization("could not read request body")
	}
	if len(data) > MaxBodyBytes {
		return &awserr.Error{Status: 413, Type: "RequestEntityTooLargeException", Message: "Request body too large"}
	}
	return DecodeBytes(data, v)
}

// DecodeBytes is Decode over a byte slice.
func DecodeBytes(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return serializationError(err)
	}
	if dec.More() {
		return awserr.Serialization("Unexpected content after the JSON document")
	}
	if _, err := dec.Token(); err != io.EOF {
		return awserr.Serialization("Unexpected content after the JSON document")
	}
	return nil
}

var javaTypes = map[string]string{
	"bool": "java.lang.Boolean", "string": "java.lang.String", "number": "java.lang.Number",
	"object": "java.util.Map", "array": "java.util.List",
}

func serializationError(err error) *awserr.Error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		from := javaTypes[te.Value]
		if from == "" {
			from = te.Value
		}
		to := "an " + javaName(te.Type)
		return awserr.Serialization("class %s can not be converted to %s (member %s)", from, to, te.Field)
	case errors.As(err, &se):
		return awserr.Serialization("Malformed JSON at offset %d: %v", se.Offset, se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return awserr.Serialization("Unrecognized field %s in the request body", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return awserr.Serialization("Malformed JSON: unexpected end of input")
	default:
		return awserr.Serialization("Malformed JSON: %v", err)
	}
}

func javaName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "Integer"
	case reflect.Float64, reflect.Float32:
		return "Double"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "Object"
	case reflect.Slice:
		return "List"
	}
	return t.String()
}
