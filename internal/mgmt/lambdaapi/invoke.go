package lambdaapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/mgmt"
)

// maxInvokePayload is Lambda's synchronous request payload limit.
const maxInvokePayload = 6291456

const invokePrefix, invokeSuffix = "/2015-03-31/functions/", "/invocations"

// Handler returns next with Lambda's Invoke operation served in front of
// it: Invoke takes a raw payload and answers with the function's bytes
// and X-Amz-* headers, which the JSON mux cannot express.
func (s *Service) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			p := r.URL.EscapedPath()
			if rest, ok := strings.CutPrefix(p, invokePrefix); ok {
				if fn, ok := strings.CutSuffix(rest, invokeSuffix); ok && fn != "" && !strings.Contains(fn, "/") {
					if name, err := url.PathUnescape(fn); err == nil {
						s.serveInvoke(w, r, name)
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// invokeViaMux answers Invoke when the mux is used without Handler.
func (s *Service) invokeViaMux(_ *http.Request, _ mgmt.Params) (int, any, error) {
	return 0, nil, lambdaErr(500, "ServiceException", "Invoke is served by lambdaapi.Service.Handler, which is not installed")
}

func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request, fn string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInvokePayload+1))
	if err != nil {
		mgmt.WriteError(w, lambdaErr(400, "InvalidRequestContentException", "Could not read request body"))
		return
	}
	if len(body) > maxInvokePayload {
		mgmt.WriteError(w, lambdaErr(413, "RequestTooLargeException",
			"Request must be smaller than 6291456 bytes for the InvokeFunction operation"))
		return
	}
	invType := r.Header.Get("X-Amz-Invocation-Type")
	switch invType {
	case "", "RequestResponse", "Event", "DryRun":
	default:
		mgmt.WriteError(w, validation(invType, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]"))
		return
	}
	logType := r.Header.Get("X-Amz-Log-Type")
	switch logType {
	case "", "None", "Tail":
	default:
		mgmt.WriteError(w, validation(logType, "logType", "Member must satisfy enum value set: [None, Tail]"))
		return
	}
	if len(body) > 0 && !json.Valid(body) {
		mgmt.WriteError(w, lambdaErr(400, "InvalidRequestContentException",
			"Could not parse request body into json: Could not parse payload into json: Unexpected character"))
		return
	}
	q := r.URL.Query().Get("Qualifier")
	ref, err := parseRef(fn, q)
	if err != nil {
		mgmt.WriteError(w, err)
		return
	}
	local := s.lookup(ref.name) != nil
	if local {
		if _, _, _, _, err := s.resolve(ref); err != nil {
			mgmt.WriteError(w, err)
			return
		}
	} else if s.cfg.RemoteEndpoint == "" {
		mgmt.WriteError(w, functionNotFound(s.qualifiedARN(ref.name, ref.qualifier)))
		return
	}
	switch invType {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		target := fn
		if q != "" && !strings.HasSuffix(fn, ":"+q) {
			target = fn + ":" + q
		}
		s.async(target, body)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	res, err := s.invoke(r.Context(), fn, q, body, logType == "Tail")
	if err != nil {
		var ae *awserr.Error
		if !errors.As(err, &ae) {
			s.log.Warn("invoke failed", "function", fn, "err", err)
			ae = lambdaErr(500, "ServiceException", "Invoke failed: %v", err)
		}
		mgmt.WriteError(w, ae)
		return
	}
	writeResult(w, res, logType == "Tail")
}

func writeResult(w http.ResponseWriter, res *lambda.Result, tail bool) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if res.ExecutedVersion != "" {
		h.Set("X-Amz-Executed-Version", res.ExecutedVersion)
	}
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if tail {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(res.LogTail))
	}
	if res.RequestID != "" {
		h.Set("X-Amzn-Requestid", res.RequestID)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(res.Payload)
}
