package server

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/cache"
	"github.com/portico-dev/portico/internal/deploy"
	"github.com/portico-dev/portico/internal/httpwire"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/pipeline"
	"github.com/portico-dev/portico/internal/router"
)

// DataPlane serves REST API invocations from the served snapshot.
type DataPlane struct {
	Served    *deploy.Served
	Log       *slog.Logger
	AccountID string
}

var forbidden = []byte(`{"message":"Forbidden"}`)

// Serve handles one invocation of apiID; path is "/{stage}/{resource path}",
// escaped.
func (d *DataPlane) Serve(w http.ResponseWriter, r *http.Request, apiID, path string) {
	x := pipeline.Get()
	defer pipeline.Put(x)
	x.Start = time.Now()
	x.RequestID = newRequestID()
	x.ExtendedID = newExtendedID()
	h := w.Header()
	h["x-amzn-RequestId"] = []string{x.RequestID}
	h["x-amz-apigw-id"] = []string{x.ExtendedID}

	// Unknown API or stage: 403 Forbidden (errors-and-gateway-responses.md §3).
	api := d.Served.Load().API(apiID)
	stageName, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	var st *deploy.Stage
	if api != nil {
		st = api.Stages[stageName]
	}
	// A disabled execute-api endpoint answers as an unknown API does
	// (errors-and-gateway-responses.md §3).
	if st == nil || st.Deployment.Disabled {
		writeRaw(w, http.StatusForbidden, "ForbiddenException", forbidden)
		return
	}
	dep := st.Deployment
	x.HTTPMethod = r.Method
	x.Path = "/" + rest
	x.RawQuery = r.URL.RawQuery
	x.Header = r.Header
	x.Host = r.Host
	x.SourceIP = sourceIP(r.RemoteAddr)
	x.Stage = stageName
	x.StageVars = st.Variables
	x.DeploymentID = st.DeploymentID
	x.Protocol = r.Proto
	x.APIID = apiID
	x.AccountID = d.AccountID

	if r.ContentLength > integration.MaxPayload {
		d.fail(w, dep, x, &awserr.GatewayError{Type: awserr.RequestTooLarge})
		return
	}
	if r.Body != nil && r.ContentLength != 0 {
		body, err := io.ReadAll(io.LimitReader(r.Body, integration.MaxPayload+1))
		if err != nil {
			d.fail(w, dep, x, &awserr.GatewayError{Type: awserr.BadRequestBody, Message: "Invalid request body", Cause: err})
			return
		}
		if len(body) > integration.MaxPayload {
			d.fail(w, dep, x, &awserr.GatewayError{Type: awserr.RequestTooLarge})
			return
		}
		x.Body = body
	}

	m, status := dep.Table.Match(r.Method, x.Path, &x.Params)
	if status != router.Found {
		d.fail(w, dep, x, &awserr.GatewayError{Type: awserr.MissingAuthenticationToken})
		return
	}
	x.ResourcePath = m.Template

	// Stage cache (integrations-v1.md §12): a hit answers without the
	// backend; Cache-Control: max-age=0 refreshes when allowed.
	var (
		mc       = st.CacheFor(m.Value)
		cacheKey cache.Key
		store    bool
		warn     bool
	)
	if mc != nil && mc.Settings.Applies(r.Method) {
		// Portico has no IAM: a caller may invalidate only where the
		// method does not require execute-api:InvalidateCache.
		dec := cache.Decide(mc.Settings, r.Header.Get("Cache-Control"), !mc.Settings.RequireAuthorization)
		if dec == cache.Deny {
			d.fail(w, dep, x, &awserr.GatewayError{Type: awserr.AccessDenied, Message: "User is not authorized to invalidate the cache"})
			return
		}
		cacheKey = mc.Keys.Build(cacheView{x})
		warn = dec.Warn()
		if dec.Lookup() {
			if e, ok := st.Cache.Get(cacheKey, x.Start); ok {
				res := pipeline.Result{Status: e.Status, Header: e.Header, Body: e.Body}
				if warn {
					w.Header()[cache.WarningHeader] = []string{cache.WarningValue}
				}
				writeResult(w, &res)
				return
			}
		}
		store = dec.Store()
	}

	debug := d.Log.Enabled(r.Context(), slog.LevelDebug)
	if debug {
		// At debug level every request carries the execution trace that
		// test-invoke shows, and logs it.
		x.Trace = &pipeline.Trace{}
	}
	if err := m.Value.Run(r.Context(), x); err != nil {
		var ge *awserr.GatewayError
		if !errors.As(err, &ge) {
			ge = &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
		}
		if debug {
			d.Log.LogAttrs(r.Context(), slog.LevelDebug, "execution log", slog.String("requestId", x.RequestID),
				slog.String("log", pipeline.ExecutionLog(x, ge)))
		}
		d.fail(w, dep, x, ge)
		return
	}
	if store && x.Result.Status >= 200 && x.Result.Status < 300 {
		// Only successful responses are cached [inferred: AWS caches the
		// endpoint's responses; error answers are not worth keeping].
		st.Cache.Put(cacheKey, cacheEntry(&x.Result), mc.Settings.TTL)
	}
	if warn {
		w.Header()[cache.WarningHeader] = []string{cache.WarningValue}
	}
	writeResult(w, &x.Result)
	if debug {
		d.Log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("requestId", x.RequestID),
			slog.String("api", apiID), slog.String("stage", stageName), slog.String("method", r.Method),
			slog.String("path", x.Path), slog.Int("status", x.Result.Status), slog.Duration("latency", time.Since(x.Start)),
			slog.String("log", pipeline.ExecutionLog(x, nil)))
	}
}

func (d *DataPlane) fail(w http.ResponseWriter, dep *deploy.Deployment, x *pipeline.Exchange, ge *awserr.GatewayError) {
	res := dep.GatewayResponses.Render(ge, x)
	level := slog.LevelInfo
	if res.Status >= 500 {
		level = slog.LevelError
	}
	if d.Log.Enabled(context.Background(), level) {
		attrs := []slog.Attr{slog.String("requestId", x.RequestID), slog.String("api", dep.APIID),
			slog.String("stage", x.Stage), slog.String("method", x.HTTPMethod), slog.String("path", x.Path),
			slog.String("responseType", string(ge.Type)), slog.Int("status", res.Status)}
		if ge.Cause != nil {
			attrs = append(attrs, slog.String("cause", ge.Cause.Error()))
		}
		d.Log.LogAttrs(context.Background(), level, "gateway response", attrs...)
	}
	writeResult(w, &res)
}

func writeResult(w http.ResponseWriter, res *pipeline.Result) {
	h := w.Header()
	for k, vs := range res.Header {
		h[k] = vs
	}
	h["Content-Length"] = httpwire.ContentLength(len(res.Body))
	w.WriteHeader(res.Status)
	w.Write(res.Body)
}

func writeRaw(w http.ResponseWriter, status int, errType string, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["x-amzn-ErrorType"] = []string{errType}
	w.WriteHeader(status)
	w.Write(body)
}

func sourceIP(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

const hexDigits = "0123456789abcdef"

// newRequestID returns a random UUID (x-amzn-RequestId, $context.requestId).
// Request ids are unique, not secret: the runtime's per-thread ChaCha8
// generator is enough and costs no system call.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexDigits[c>>4]
		out[j+1] = hexDigits[c&0x0f]
		j += 2
	}
	return string(out[:])
}

// newExtendedID returns an id shaped like AWS's x-amz-apigw-id
// (base64, e.g. LZ1ZxF8IoAMEbXw=).
func newExtendedID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var out [16]byte
	base64.StdEncoding.Encode(out[:], b[:10])
	return string(out[:])
}

// cacheView is the request as the cache key builder reads it.
type cacheView struct{ x *pipeline.Exchange }

func (v cacheView) Method() string            { return v.x.HTTPMethod }
func (v cacheView) Header(name string) string { return v.x.Header.Get(name) }
func (v cacheView) Query(name string) string {
	vs := v.x.Query()[name]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}
func (v cacheView) Path(name string) string {
	val, _ := v.x.Params.Get(name)
	return val
}

// cacheEntry copies a result so the entry owns all of its memory.
func cacheEntry(res *pipeline.Result) *cache.Entry {
	h := make(http.Header, len(res.Header))
	for k, vs := range res.Header {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = strings.Clone(v)
		}
		h[k] = c
	}
	return &cache.Entry{Status: res.Status, Header: h, Body: append([]byte(nil), res.Body...)}
}
