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
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/integration"
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

	// Built by the stages.
	IntReq  integration.Request
	IntResp *integration.Response
	Result  Result

	// Trace, when non-nil, receives one entry per stage and mapping step.
	Trace *Trace

	query   url.Values
	queryOK bool
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

var pool = sync.Pool{New: func() any { return new(Exchange) }}

// Get returns a reset Exchange from the pool.
func Get() *Exchange {
	return pool.Get().(*Exchange)
}

// Put returns x to the pool; the caller must not use it afterwards.
func Put(x *Exchange) {
	*x = Exchange{}
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
	stages []Stage
}

// NewMethod returns a Method running stages in order.
func NewMethod(stages ...Stage) *Method { return &Method{stages: stages} }

// Run runs the stages in order, stopping at the first error.
func (m *Method) Run(ctx context.Context, x *Exchange) error {
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
