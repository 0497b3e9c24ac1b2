// Package pipeline runs one data-plane request through a compiled method:
// the per-request Exchange, the stages in AWS's order (spec README,
// request pipeline overview), the runner and its execution trace. Stages
// return errors and never write the response; the server renders
// *awserr.GatewayError values as gateway responses.
package pipeline

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/router"
)

// Exchange is one request's state as it moves through the stages.
type Exchange struct {
	// Set by the server before the stages run.
	RequestID    string
	ExtendedID   string
	Start        time.Time
	HTTPMethod   string
	Path         string // below the stage, escaped, e.g. /pets/7
	RawQuery     string
	Header       http.Header
	Body         []byte
	Host         string
	SourceIP     string
	Stage        string
	StageVars    map[string]string
	DeploymentID string
	Params       router.Params
	ResourcePath string
	Protocol     string

	AccountID  string
	APIID      string
	ResourceID string

	// Built by the stages.
	IntReq integration.Request
	// Transformed is set when a request template produced IntReq.Body.
	Transformed bool
	// BinaryAccepted: the client's first Accept type is a binary media
	// type (Lambda proxy responses, integrations-v1.md §9.3).
	BinaryAccepted bool
	IntResp        *integration.Response
	// IntegrationLatency is how long the backend took.
	IntegrationLatency time.Duration
	Result             Result

	// Trace, when non-nil, receives one entry per stage and mapping step.
	Trace *Trace

	// Mapping state: the request as templates and parameter mappings
	// see it (built on first use), template overrides, mapped parameters.
	Overrides mapping.Overrides
	Mapped    mapping.Mapped
	mreq      *mapping.Request // kept across requests: its storage is reused
	mctx      mapping.Context
	mreqOK    bool

	query   url.Values
	queryOK bool

	// vals backs the one-value header slices of the integration request
	// (one), which lives no longer than the exchange.
	vals  [8]string
	nvals int
	// ihdr is the integration request's header map, kept (cleared)
	// across requests.
	ihdr http.Header
}

// intHeader returns the exchange's empty integration request header.
func (x *Exchange) intHeader() http.Header {
	if x.ihdr == nil {
		x.ihdr = make(http.Header, 16)
	}
	return x.ihdr
}

// one returns []string{v} for a header of the integration request,
// carved from the exchange's own storage while it lasts.
func (x *Exchange) one(v string) []string {
	if x.nvals == len(x.vals) {
		return []string{v}
	}
	i := x.nvals
	x.nvals++
	x.vals[i] = v
	return x.vals[i : i+1 : i+1]
}

// Result is what goes back to the client.
type Result struct {
	Status int
	Header http.Header
	Body   []byte
}

// Query returns the parsed query string, computed on first use.
func (x *Exchange) Query() url.Values {
	if !x.queryOK {
		x.query, _ = url.ParseQuery(x.RawQuery)
		x.queryOK = true
	}
	return x.query
}

// Mapping returns the request as mapping templates and parameter mappings
// see it ($input, $context, method.request.*), built once.
func (x *Exchange) Mapping() *mapping.Request {
	if x.mreqOK {
		return x.mreq
	}
	x.mreqOK = true
	if x.mreq == nil {
		x.mreq = new(mapping.Request)
	}
	r := x.mreq
	r.Method = x.HTTPMethod
	r.Path = x.Path
	r.ResourcePath = x.ResourcePath
	for i := 0; i < x.Params.Len(); i++ {
		p := x.Params.At(i)
		r.PathParams = append(r.PathParams, mapping.Param{Name: p.Name, Value: p.Value})
	}
	if x.RawQuery != "" {
		for _, kv := range strings.Split(x.RawQuery, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			r.Query = append(r.Query, mapping.Param{Name: k, Value: v})
		}
	}
	// Header order is not kept by net/http: present them sorted so that
	// templates iterating $input.params().header are deterministic.
	names := make([]string, 0, len(x.Header))
	for k := range x.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range x.Header[k] {
			r.Headers = append(r.Headers, mapping.Param{Name: k, Value: v})
		}
	}
	vars := make([]string, 0, len(x.StageVars))
	for k := range x.StageVars {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	for _, k := range vars {
		r.StageVariables = append(r.StageVariables, mapping.Param{Name: k, Value: x.StageVars[k]})
	}
	r.Body = x.Body
	c := &x.mctx
	c.RequestID, c.ExtendedRequestID, c.AccountID, c.APIID = x.RequestID, x.ExtendedID, x.AccountID, x.APIID
	c.DeploymentID, c.HTTPMethod, c.Protocol = x.DeploymentID, x.HTTPMethod, x.Protocol
	c.DomainName = x.Host
	if i := strings.LastIndexByte(c.DomainName, ':'); i >= 0 && !strings.Contains(c.DomainName[i:], "]") {
		c.DomainName = c.DomainName[:i]
	}
	c.DomainPrefix, _, _ = strings.Cut(c.DomainName, ".")
	c.Path = "/" + x.Stage + x.Path
	c.ResourceID, c.ResourcePath, c.Stage = x.ResourceID, x.ResourcePath, x.Stage
	c.RequestTime = x.Start
	c.Identity.SourceIP = x.SourceIP
	c.Identity.UserAgent = x.Header.Get("User-Agent")
	r.Context = c
	return r
}

var pool = sync.Pool{New: func() any { return new(Exchange) }}

// Get returns a reset Exchange from the pool.
func Get() *Exchange {
	return pool.Get().(*Exchange)
}

// Put returns x to the pool; the caller must not use it afterwards.
func Put(x *Exchange) {
	// The mapping request's storage (decoded bodies, render scopes) is
	// reset for the next request rather than dropped: nothing of it is
	// used once the answer is written.
	m, h := x.mreq, x.ihdr
	if m != nil {
		m.Reset()
	}
	if len(h) > 64 {
		h = nil // do not keep a map grown by an unusual request
	}
	clear(h)
	*x = Exchange{mreq: m, ihdr: h}
	pool.Put(x)
}

// Stage is one step of the data plane, compiled once per method.
type Stage interface {
	// Name is shown in the execution trace.
	Name() string
	// Run returns nil to continue or an error; an *awserr.GatewayError
	// ends the request with that gateway response.
	Run(ctx context.Context, x *Exchange) error
}

// Method is a compiled method: its stages in order. Built at deploy time,
// immutable, safe for concurrent use.
type Method struct {
	resourceID string
	stages     []Stage
	// Info describes the method for stage-level features (the cache).
	Info MethodInfo
}

// MethodInfo is what a stage needs to know about a compiled method.
type MethodInfo struct {
	HTTPMethod         string // as defined, possibly ANY
	ResourcePath       string
	CacheNamespace     string
	CacheKeyParameters []string
}

// NewMethod returns a Method running stages in order.
func NewMethod(stages ...Stage) *Method { return &Method{stages: stages} }

// Run runs the stages in order, stopping at the first error.
func (m *Method) Run(ctx context.Context, x *Exchange) error {
	x.ResourceID = m.resourceID
	for _, s := range m.stages {
		var t0 time.Time
		if x.Trace != nil {
			t0 = time.Now()
		}
		err := s.Run(ctx, x)
		if x.Trace != nil {
			x.Trace.Add(s.Name(), time.Since(t0), err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Trace is a request's execution log: what AWS's test-invoke shows.
type Trace struct {
	Entries []TraceEntry
}

// TraceEntry is one line of a Trace.
type TraceEntry struct {
	Step    string
	Elapsed time.Duration
	Detail  string
}

// Add records a stage outcome.
func (t *Trace) Add(step string, d time.Duration, err error) {
	e := TraceEntry{Step: step, Elapsed: d}
	if err != nil {
		e.Detail = "error: " + err.Error()
	}
	t.Entries = append(t.Entries, e)
}

// Note records a mapping step's detail.
func (t *Trace) Note(step, detail string) {
	if t != nil {
		t.Entries = append(t.Entries, TraceEntry{Step: step, Detail: detail})
	}
}
