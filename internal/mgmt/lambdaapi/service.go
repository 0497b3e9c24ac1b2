// Package lambdaapi is Portico's Lambda management API (the subset the
// AWS SDK's service/lambda and Terraform use: functions, code,
// configuration, Invoke, permissions, versions, aliases, reserved
// concurrency) and the function registry the data plane invokes through
// integration.FunctionInvoker.
//
// Function configuration lives in the store under lambda/functions/{name};
// code is unpacked under {dataDir}/functions/{name}/{sha256 hex}/ (a
// temporary directory removed on Close when Portico runs in memory), so
// functions survive a restart. Every write also updates an immutable
// in-memory view, published atomically, which is all the data plane
// reads: it never touches the store on a request. Local functions run in
// an internal/lambda Manager; functions Portico does not run itself can
// be sent to a Lambda-compatible endpoint through the AWS SDK.
package lambdaapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/integration/lambdaproxy"
	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/store"
)

// Config wires a Service.
type Config struct {
	Store store.Store
	// Manager runs local functions. When nil the Service starts its own
	// and closes it on Close.
	Manager *lambda.Manager
	// DataDir is where function code is unpacked; empty means a
	// temporary directory removed on Close (in-memory mode).
	DataDir   string
	Region    string
	AccountID string
	Log       *slog.Logger
	// RemoteEndpoint, when set, receives invokes of functions Portico
	// does not have, through the AWS SDK's Lambda client: a URL of a
	// Lambda-compatible endpoint, or "aws" for real AWS (default
	// credential chain). A function tagged portico:endpoint=URL is always
	// invoked there.
	RemoteEndpoint string
}

// EndpointTag is the function tag that sends a function's invokes to a
// Lambda-compatible endpoint instead of the local runtime.
const EndpointTag = "portico:endpoint"

const storePrefix = "lambda/functions/"

// Service serves the Lambda management API and invokes functions.
type Service struct {
	cfg      Config
	log      *slog.Logger
	mgr      *lambda.Manager
	ownMgr   bool
	codeRoot string // {dataDir}/functions or a temporary directory
	ownRoot  bool
	remote   remoteClients

	wmu   sync.Mutex // serialises writes
	funcs atomic.Pointer[map[string]*entry]

	bg     context.Context // async invokes
	stop   context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool
}

var _ integration.FunctionInvoker = (*Service)(nil)
var _ lambdaproxy.AsyncInvoker = (*Service)(nil)

// entry is the published, immutable view of one function.
type entry struct {
	rec      *record
	latest   *lambda.Function
	versions map[string]*lambda.Function
}

// New loads every stored function and returns the Service.
func New(cfg Config) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, log: cfg.Log, mgr: cfg.Manager}
	if cfg.DataDir != "" {
		s.codeRoot = filepath.Join(cfg.DataDir, "functions")
		if err := os.MkdirAll(s.codeRoot, 0o755); err != nil {
			return nil, fmt.Errorf("create function code directory: %w", err)
		}
	} else {
		dir, err := os.MkdirTemp("", "portico-functions-")
		if err != nil {
			return nil, fmt.Errorf("create function code directory: %w", err)
		}
		s.codeRoot, s.ownRoot = dir, true
	}
	if s.mgr == nil {
		m, err := lambda.NewManager(lambda.Options{Logger: cfg.Log, Region: cfg.Region})
		if err != nil {
			s.removeRoot()
			return nil, err
		}
		s.mgr, s.ownMgr = m, true
	}
	s.remote.region = cfg.Region
	s.bg, s.stop = context.WithCancel(context.Background())
	funcs := map[string]*entry{}
	err := cfg.Store.View(context.Background(), func(tx store.Tx) error {
		kvs, err := tx.List(storePrefix, "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var rec record
			if err := json.Unmarshal(kv.Value, &rec); err != nil {
				return fmt.Errorf("decode function %s: %w", kv.Key, err)
			}
			funcs[rec.Name] = s.build(&rec)
		}
		return nil
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("load functions: %w", err)
	}
	s.funcs.Store(&funcs)
	return s, nil
}

func (s *Service) removeRoot() {
	if s.ownRoot {
		os.RemoveAll(s.codeRoot)
	}
}

// Close stops queued asynchronous invokes, the Manager when the Service
// started it, and removes the temporary code directory.
func (s *Service) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
	var err error
	if s.ownMgr {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = s.mgr.Close(ctx)
		cancel()
	}
	s.removeRoot()
	return err
}

// Manager returns the Manager running local functions.
func (s *Service) Manager() *lambda.Manager { return s.mgr }

func (s *Service) lookup(name string) *entry {
	return (*s.funcs.Load())[name]
}

// publish installs e (nil deletes) under name. Callers hold wmu.
func (s *Service) publish(name string, e *entry) {
	old := *s.funcs.Load()
	n := maps.Clone(old)
	if e == nil {
		delete(n, name)
	} else {
		n[name] = e
	}
	s.funcs.Store(&n)
}

// arn is the unqualified function ARN.
func (s *Service) arn(name string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.AccountID + ":function:" + name
}

func (s *Service) qualifiedARN(name, qualifier string) string {
	if qualifier == "" {
		return s.arn(name)
	}
	return s.arn(name) + ":" + qualifier
}

// codeDir is where the code with base64 digest sha is unpacked.
func (s *Service) codeDir(name, sha string) string {
	raw, err := base64.StdEncoding.DecodeString(sha)
	if err != nil {
		raw = []byte(sha)
	}
	return filepath.Join(s.codeRoot, name, hex.EncodeToString(raw))
}

// build compiles rec into its published view.
func (s *Service) build(rec *record) *entry {
	e := &entry{rec: rec, versions: make(map[string]*lambda.Function, len(rec.Versions))}
	e.latest = s.function(rec, &rec.Latest, "$LATEST")
	for v, c := range rec.Versions {
		e.versions[v] = s.function(rec, c, v)
	}
	return e
}

// function is the runtime view of one version. Its Revision hashes what
// the process sees (not the version number), so a published version
// identical to $LATEST shares its warm processes.
func (s *Service) function(rec *record, c *config, version string) *lambda.Function {
	maxConc := 0
	if rec.Reserved != nil && *rec.Reserved > 0 {
		maxConc = *rec.Reserved
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%d\x00%d\x00", c.Runtime, c.Handler, c.CodeSha256, c.Timeout, c.MemorySize, maxConc)
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		fmt.Fprintf(h, "%s=%s\x00", k, c.Env[k])
	}
	return &lambda.Function{
		Name:           rec.Name,
		ARN:            s.arn(rec.Name),
		Version:        version,
		Runtime:        c.Runtime,
		Handler:        c.Handler,
		CodeDir:        s.codeDir(rec.Name, c.CodeSha256),
		Env:            c.Env,
		Timeout:        time.Duration(c.Timeout) * time.Second,
		MemoryMB:       c.MemorySize,
		MaxConcurrency: maxConc,
		Revision:       hex.EncodeToString(h.Sum(nil)[:12]),
	}
}

// ref is a parsed FunctionName: a name, ARN or partial ARN, optionally
// qualified.
type ref struct {
	name, qualifier string
}

// parseRef accepts name, name:qualifier, account:function:name[:q] and
// arn:aws:lambda:region:account:function:name[:q]; query is the
// Qualifier query parameter.
func parseRef(raw, query string) (ref, error) {
	var r ref
	parts := strings.Split(raw, ":")
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		if len(parts) > 8 {
			return r, badName(raw)
		}
		r.name = parts[6]
		if len(parts) == 8 {
			r.qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		if len(parts) > 4 {
			return r, badName(raw)
		}
		r.name = parts[2]
		if len(parts) == 4 {
			r.qualifier = parts[3]
		}
	case len(parts) <= 2:
		r.name = parts[0]
		if len(parts) == 2 {
			r.qualifier = parts[1]
		}
	default:
		return r, badName(raw)
	}
	if !validName(r.name) {
		return r, badName(raw)
	}
	if query != "" {
		if r.qualifier != "" && r.qualifier != query {
			return r, invalidParam("The derived qualifier from the function name does not match the specified qualifier.")
		}
		r.qualifier = query
	}
	if r.qualifier != "" && !validQualifier(r.qualifier) {
		return r, validation(r.qualifier, "qualifier", "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
	}
	return r, nil
}

const namePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

func badName(raw string) error {
	return validation(raw, "functionName", "Member must satisfy regular expression pattern: "+namePattern)
}

func validName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validQualifier(q string) bool {
	if q == "$LATEST" {
		return true
	}
	if q == "" || len(q) > 128 {
		return false
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// resolve returns the entry, the version config and the runtime function
// a ref names (an alias resolves to its version).
func (s *Service) resolve(r ref) (*entry, *config, *lambda.Function, string, error) {
	e := s.lookup(r.name)
	if e == nil {
		return nil, nil, nil, "", functionNotFound(s.qualifiedARN(r.name, r.qualifier))
	}
	q := r.qualifier
	if q == "" || q == "$LATEST" {
		return e, &e.rec.Latest, e.latest, "$LATEST", nil
	}
	if a := e.rec.Aliases[q]; a != nil {
		q = a.FunctionVersion
		if q == "$LATEST" {
			return e, &e.rec.Latest, e.latest, "$LATEST", nil
		}
	}
	if c := e.rec.Versions[q]; c != nil {
		return e, c, e.versions[q], q, nil
	}
	return nil, nil, nil, "", functionNotFound(s.qualifiedARN(r.name, r.qualifier))
}

// InvokeFunction runs a function synchronously for the data plane.
// functionARN may be a name, a partial or full ARN, qualified by a
// version or alias, or a whole invoke URI (invoke_arn). An unknown function is an error wrapping
// lambdaproxy.ErrFunctionNotFound.
func (s *Service) InvokeFunction(ctx context.Context, functionARN string, payload []byte) (*integration.FunctionResult, error) {
	res, err := s.invoke(ctx, functionARN, "", payload, false)
	if err != nil {
		return nil, err
	}
	return &integration.FunctionResult{Payload: res.Payload, FunctionError: res.FunctionError}, nil
}

// InvokeFunctionAsync queues an asynchronous (Event) invoke.
func (s *Service) InvokeFunctionAsync(ctx context.Context, functionARN string, payload []byte) error {
	r, err := parseRef(functionARN, "")
	if err != nil {
		return fmt.Errorf("invoke %s: %w", functionARN, err)
	}
	if s.lookup(r.name) == nil && s.cfg.RemoteEndpoint == "" {
		return fmt.Errorf("invoke %s: %w", functionARN, lambdaproxy.ErrFunctionNotFound)
	}
	s.async(functionARN, payload)
	return nil
}

// async runs an Event invoke in the background until Close.
func (s *Service) async(functionARN string, payload []byte) {
	if s.closed.Load() {
		return
	}
	p := append([]byte(nil), payload...)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := s.invoke(s.bg, functionARN, "", p, false)
		switch {
		case err != nil:
			s.log.LogAttrs(s.bg, slog.LevelWarn, "asynchronous invoke failed", slog.String("function", functionARN), slog.Any("err", err))
		case res.FunctionError != "":
			s.log.LogAttrs(s.bg, slog.LevelWarn, "asynchronous invoke: function error", slog.String("function", functionARN), slog.String("payload", string(res.Payload)))
		}
	}()
}

// errThrottled is a function with reserved concurrency 0.
var errThrottled = lambdaErr(429, "TooManyRequestsException", "Rate Exceeded.")

// invoke runs a function by name or ARN, locally or remotely.
func (s *Service) invoke(ctx context.Context, fn, query string, payload []byte, tail bool) (*lambda.Result, error) {
	if strings.HasPrefix(fn, "arn:") && strings.Contains(fn, ":lambda:path/") {
		// A whole invoke URI (invoke_arn) names its function.
		if arn, err := lambdaproxy.FunctionARN(fn); err == nil {
			fn = arn
		}
	}
	r, err := parseRef(fn, query)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w: %w", fn, lambdaproxy.ErrFunctionNotFound, err)
	}
	e, _, f, version, err := s.resolve(r)
	if err != nil {
		if s.cfg.RemoteEndpoint != "" && s.lookup(r.name) == nil {
			return s.remote.invoke(ctx, s.cfg.RemoteEndpoint, fn, query, payload, tail)
		}
		return nil, fmt.Errorf("invoke %s: %w: %w", fn, lambdaproxy.ErrFunctionNotFound, err)
	}
	if ep := e.rec.Tags[EndpointTag]; ep != "" {
		return s.remote.invoke(ctx, ep, fn, query, payload, tail)
	}
	if e.rec.Reserved != nil && *e.rec.Reserved == 0 {
		return nil, errThrottled
	}
	if len(payload) == 0 {
		payload = emptyEvent
	}
	invoked := s.arn(r.name)
	if r.qualifier != "" {
		invoked += ":" + r.qualifier
	}
	res, err := s.mgr.Invoke(ctx, f, payload, lambda.InvokeOptions{InvokedARN: invoked, Tail: tail})
	if errors.Is(err, lambda.ErrRuntimeUnavailable) {
		// The machine lost the interpreter since CreateFunction: report it
		// as Lambda reports a runtime that cannot start.
		msg, _ := json.Marshal(map[string]string{"errorType": "Runtime.Unavailable", "errorMessage": err.Error()})
		return &lambda.Result{Payload: msg, FunctionError: "Unhandled", ExecutedVersion: version}, nil
	}
	if err != nil {
		return nil, err
	}
	res.ExecutedVersion = version
	return res, nil
}

var emptyEvent = []byte("{}")

// now is the LastModified format Lambda uses.
func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000-0700") }

// newRevision returns a RevisionId (a UUID).
func newRevision() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 16)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// Register adds the Lambda operations to mux. Invoke needs raw bodies
// and response headers, so it is served by Handler.
func (s *Service) Register(mux *mgmt.Mux) {
	const f = "/2015-03-31/functions"
	mux.Handle("POST", f, s.createFunction)
	mux.Handle("GET", f, s.listFunctions)
	mux.Handle("GET", f+"/{fn}", s.getFunction)
	mux.Handle("DELETE", f+"/{fn}", s.deleteFunction)
	mux.Handle("GET", f+"/{fn}/configuration", s.getConfiguration)
	mux.Handle("PUT", f+"/{fn}/configuration", s.updateConfiguration)
	mux.Handle("PUT", f+"/{fn}/code", s.updateCode)
	mux.Handle("POST", f+"/{fn}/policy", s.addPermission)
	mux.Handle("GET", f+"/{fn}/policy", s.getPolicy)
	mux.Handle("DELETE", f+"/{fn}/policy/{sid}", s.removePermission)
	mux.Handle("POST", f+"/{fn}/versions", s.publishVersion)
	mux.Handle("GET", f+"/{fn}/versions", s.listVersions)
	mux.Handle("POST", f+"/{fn}/aliases", s.createAlias)
	mux.Handle("GET", f+"/{fn}/aliases", s.listAliases)
	mux.Handle("GET", f+"/{fn}/aliases/{alias}", s.getAlias)
	mux.Handle("PUT", f+"/{fn}/aliases/{alias}", s.updateAlias)
	mux.Handle("DELETE", f+"/{fn}/aliases/{alias}", s.deleteAlias)
	mux.Handle("PUT", "/2017-10-31/functions/{fn}/concurrency", s.putConcurrency)
	mux.Handle("DELETE", "/2017-10-31/functions/{fn}/concurrency", s.deleteConcurrency)
	mux.Handle("GET", "/2019-09-30/functions/{fn}/concurrency", s.getConcurrency)
	mux.Handle("GET", "/2017-03-31/tags/{arn}", s.listTags)
	mux.Handle("POST", f+"/{fn}/invocations", s.invokeViaMux)
}
