// Package httpapi is the data plane of HTTP APIs (integrations-v2.md):
// it compiles v2 deployments into an immutable snapshot (routes through
// internal/router's HTTPTable, integrations, parameter mappings, CORS and
// JWT authorizers), publishes it atomically, and serves invocations from
// it: stage selection (§7.1), route selection (§7.3), JWT authorization,
// HTTP_PROXY (public and through VPC links) and Lambda proxy integrations
// with payload formats 1.0 and 2.0 (§4), request and response parameter
// mapping (§5, §6) and CORS.
//
// It reads the store only when the management plane says an API changed
// (Reload) and once at start-up (LoadAll); a request never reads the
// store. It must not import the management packages.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/internal/httpwire"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/integration/httpbackend"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/router"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/vpclink"
)

// Config wires a Server.
type Config struct {
	Store     store.Store
	Log       *slog.Logger
	Region    string
	AccountID string
	// Functions runs Lambda functions for AWS_PROXY integrations; nil
	// answers them with 500.
	Functions integration.FunctionInvoker
	// Targets maps private integration target ARNs (load balancer
	// listeners, Cloud Map services) to upstreams; it takes precedence
	// over VPC link tags (see resolveUpstreams).
	Targets vpclink.Targets
	// HTTP is the client for public HTTP_PROXY backends; nil builds one.
	HTTP *httpbackend.Client
	// JWKSClient fetches OpenID configurations and key sets for JWT
	// authorizers; nil uses a client with a 5 s timeout.
	JWKSClient *http.Client
	Now        func() time.Time
}

// Server compiles and serves HTTP APIs. Readers never lock; writers
// serialise on mu.
type Server struct {
	cfg     Config
	http    *httpbackend.Client
	ownHTTP bool
	jwks    *keySets
	mu      sync.Mutex
	cur     atomic.Pointer[snapshot]
	cache   map[string]*deployment // by api/deployment id
	pool    sync.Pool
}

// snapshot is everything served. Never modified once published.
type snapshot struct {
	apis map[string]*api
}

type api struct {
	id       string
	disabled bool
	stages   map[string]*stage // named stages
	def      *stage            // $default, served at /
}

type stage struct {
	name    string
	vars    map[string]string
	varList []kv
	dep     *deployment
}

type kv struct{ k, v string }

// deployment is a compiled deployment; stages on it share it.
type deployment struct {
	id    string
	apiID string
	table *router.HTTPTable[*route]
	cors  *cors
}

// route is one compiled route.
type route struct {
	key    string
	target *target
	auth   *jwtAuthorizer
	scopes []string
	custom bool // CUSTOM (Lambda authorizer): not served yet, 500
}

// New returns a Server serving nothing yet.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	s := &Server{cfg: cfg, cache: map[string]*deployment{}, http: cfg.HTTP}
	if s.http == nil {
		s.http = httpbackend.New(httpbackend.Options{})
		s.ownHTTP = true
	}
	jc := cfg.JWKSClient
	if jc == nil {
		jc = &http.Client{Timeout: 5 * time.Second}
	}
	s.jwks = newKeySets(jc, cfg.Now)
	s.cur.Store(&snapshot{apis: map[string]*api{}})
	s.pool.New = func() any { return new(exchange) }
	return s
}

// Close releases pooled backend connections.
func (s *Server) Close() {
	if s.ownHTTP {
		s.http.Close()
	}
}

// LoadAll compiles every HTTP API in the store (start-up).
func (s *Server) LoadAll(ctx context.Context) error {
	var ids []string
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(model.V2APIPrefix, "", 0)
		for _, kv := range kvs {
			ids = append(ids, strings.TrimPrefix(kv.Key, model.V2APIPrefix))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("list v2 apis: %w", err)
	}
	for _, id := range ids {
		if err := s.Reload(ctx, id); err != nil {
			s.cfg.Log.Error("compile http api", "api", id, "err", err)
		}
	}
	return nil
}

// Reload rebuilds what is served for one API from the store and
// publishes a new snapshot with only that entry replaced.
func (s *Server) Reload(ctx context.Context, apiID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		a      *model.V2Api
		stages []*model.V2Stage
		snaps  = map[string]*model.V2Snapshot{}
		links  = map[string]*model.V2VpcLink{}
	)
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		b, err := tx.Get(model.V2APIKey(apiID))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		a = new(model.V2Api)
		if err := json.Unmarshal(b, a); err != nil {
			return err
		}
		kvs, err := tx.List("v2stages/"+apiID+"/", "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			st := new(model.V2Stage)
			if err := json.Unmarshal(kv.Value, st); err != nil {
				return err
			}
			stages = append(stages, st)
			if st.DeploymentID == "" || snaps[st.DeploymentID] != nil {
				continue
			}
			sb, err := tx.Get(model.V2SnapshotKey(apiID, st.DeploymentID))
			if err != nil {
				return fmt.Errorf("snapshot %s of stage %s: %w", st.DeploymentID, st.StageName, err)
			}
			snap := new(model.V2Snapshot)
			if err := json.Unmarshal(sb, snap); err != nil {
				return err
			}
			snaps[st.DeploymentID] = snap
		}
		lkvs, err := tx.List(model.V2VpcLinkPrefix, "", 0)
		if err != nil {
			return err
		}
		for _, kv := range lkvs {
			l := new(model.V2VpcLink)
			if err := json.Unmarshal(kv.Value, l); err != nil {
				return err
			}
			links[l.VpcLinkID] = l
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read http api %s: %w", apiID, err)
	}
	var served *api
	if a != nil && a.ProtocolType == model.ProtocolHTTP {
		served = &api{id: apiID, disabled: a.DisableExecuteAPIEndpoint, stages: map[string]*stage{}}
		// Deployments are recompiled on every reload: VPC link targets
		// may have changed. Compiling is cheap next to a request flow.
		compiled := map[string]*deployment{}
		for _, st := range stages {
			if st.DeploymentID == "" {
				continue
			}
			dep := compiled[st.DeploymentID]
			if dep == nil {
				dep, err = s.compile(apiID, st.DeploymentID, snaps[st.DeploymentID], links)
				if err != nil {
					s.cfg.Log.Error("compile http api deployment", "api", apiID, "deployment", st.DeploymentID, "err", err)
					continue
				}
				compiled[st.DeploymentID] = dep
			}
			cs := &stage{name: st.StageName, vars: st.StageVariables, dep: dep}
			for k, v := range st.StageVariables {
				cs.varList = append(cs.varList, kv{k, v})
			}
			if st.StageName == "$default" {
				served.def = cs
			} else {
				served.stages[st.StageName] = cs
			}
		}
	}
	old := s.cur.Load()
	next := &snapshot{apis: maps.Clone(old.apis)}
	if served == nil {
		delete(next.apis, apiID)
	} else {
		next.apis[apiID] = served
	}
	s.cur.Store(next)
	return nil
}

// compile builds the route table of one deployment.
func (s *Server) compile(apiID, depID string, snap *model.V2Snapshot, links map[string]*model.V2VpcLink) (*deployment, error) {
	if snap == nil {
		return nil, errors.New("no snapshot")
	}
	its := map[string]*model.V2Integration{}
	for _, it := range snap.Integrations {
		its[it.IntegrationID] = it
	}
	auths := map[string]*model.V2Authorizer{}
	for _, au := range snap.Authorizers {
		auths[au.AuthorizerID] = au
	}
	targets := map[string]*target{}
	jwts := map[string]*jwtAuthorizer{}
	b := router.NewHTTPBuilder[*route]()
	for _, rt := range snap.Routes {
		cr := &route{key: rt.RouteKey, scopes: rt.AuthorizationScopes}
		if id, ok := strings.CutPrefix(rt.Target, "integrations/"); ok {
			t := targets[id]
			if t == nil && its[id] != nil {
				var err error
				if t, err = s.compileTarget(its[id], links); err != nil {
					s.cfg.Log.Warn("integration not served", "api", apiID, "integration", id, "err", err)
					t = &target{broken: err}
				}
				targets[id] = t
			}
			cr.target = t
		}
		switch rt.AuthorizationType {
		case "JWT":
			ja := jwts[rt.AuthorizerID]
			if ja == nil {
				au := auths[rt.AuthorizerID]
				if au == nil {
					return nil, fmt.Errorf("route %s: authorizer %s missing", rt.RouteKey, rt.AuthorizerID)
				}
				ja = s.compileJWT(au)
				jwts[rt.AuthorizerID] = ja
			}
			cr.auth = ja
		case "CUSTOM":
			cr.custom = true
			// AWS_IAM: Portico does not check SigV4 signatures on the
			// data plane; such routes are served without authorization.
		}
		if err := b.Add(rt.RouteKey, cr); err != nil {
			return nil, fmt.Errorf("route %s: %w", rt.RouteKey, err)
		}
	}
	dep := &deployment{id: depID, apiID: apiID, table: b.Build()}
	if c := snap.API.CorsConfiguration; c != nil {
		dep.cors = compileCors(c)
	}
	return dep, nil
}

// exchange is one request's state; pooled.
type exchange struct {
	r         *http.Request
	requestID string
	start     time.Time
	api       *api
	stage     *stage
	route     *route
	routeKey  string
	params    router.Params
	path      string // escaped request path below the stage
	rawPath   string // escaped request path as received (with the stage)
	body      []byte
	claims    map[string]any
	scopes    []string
	// Scratch for the integration call, reused with the exchange: the
	// forwarding headers' values, the integration request, the answer
	// and the URL being built.
	extra  [4]integration.Field // the gateway's own upstream header fields
	ireq   integration.Request
	res    Response
	urlBuf []byte
	// scratch is lent to the integration for its answer; rid holds the
	// request id header's value.
	scratch *integration.Scratch
	rid     [1]string
}

func (x *exchange) reset() {
	p, u, sc := x.params, x.urlBuf[:0], x.scratch
	*x = exchange{params: p, urlBuf: u, scratch: sc}
}

// HTTP API error bodies (errors-and-gateway-responses.md §4).
var (
	msgNotFound     = []byte(`{"message":"Not Found"}`)
	msgInternal     = []byte(`{"message":"Internal Server Error"}`)
	msgUnavailable  = []byte(`{"message":"Service Unavailable"}`)
	msgUnauthorized = []byte(`{"message":"Unauthorized"}`)
	msgForbidden    = []byte(`{"message":"Forbidden"}`)
	msgTooLarge     = []byte(`{"message":"Request Entity Too Large"}`)
)

// Serve answers one invocation of the HTTP API apiID, where path is the
// escaped request path after the API id ("/{stage}/…" or, for the
// $default stage, "/…"). It reports false, writing nothing, when apiID is
// not an HTTP API this server serves.
func (s *Server) Serve(w http.ResponseWriter, r *http.Request, apiID, path string) bool {
	a := s.cur.Load().apis[apiID]
	if a == nil {
		return false
	}
	// No defer: after a panic the answer may still point into x, which
	// is then left to the collector instead of going back to the pool.
	x := s.pool.Get().(*exchange)
	s.serve(w, r, a, x, path)
	s.release(w, x)
	return true
}

// serve answers a request for the HTTP API a in exchange x.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, a *api, x *exchange, path string) {
	x.r = r
	x.start = s.cfg.Now()
	x.requestID = newRequestID()
	x.api = a
	x.rawPath = path
	x.rid[0] = x.requestID
	w.Header()["Apigw-Requestid"] = x.rid[:]
	if a.disabled { // disableExecuteApiEndpoint: the default endpoint answers 403
		writeMsg(w, http.StatusForbidden, msgForbidden)
		return
	}
	// Stage selection (integrations-v2.md §7.1): a first segment naming
	// a stage selects it; otherwise $default at the root.
	trimmed := strings.TrimPrefix(path, "/")
	first, _, found := strings.Cut(trimmed, "/")
	rest := "/" // the path below the first segment, with its slash
	if found {
		rest = trimmed[len(first):]
	}
	if st := a.stages[first]; st != nil {
		x.stage, x.path = st, rest
	} else if (first == "$default" || first == "%24default") && a.def != nil {
		x.stage, x.path = a.def, rest
	} else if a.def != nil {
		x.stage, x.path = a.def, path
		if x.path == "" {
			x.path = "/"
		}
	} else {
		writeMsg(w, http.StatusNotFound, msgNotFound)
		return
	}
	dep := x.stage.dep
	if r.ContentLength > integration.MaxPayload {
		writeMsg(w, http.StatusRequestEntityTooLarge, msgTooLarge)
		return
	}
	if r.Body != nil && r.ContentLength != 0 {
		body, err := io.ReadAll(io.LimitReader(r.Body, integration.MaxPayload+1))
		if err != nil {
			writeMsg(w, http.StatusBadRequest, []byte(`{"message":"Bad Request"}`))
			return
		}
		if len(body) > integration.MaxPayload {
			writeMsg(w, http.StatusRequestEntityTooLarge, msgTooLarge)
			return
		}
		x.body = body
	}
	// CORS preflight is answered by the gateway, before routing and
	// authorization.
	if dep.cors != nil && r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != "" {
		dep.cors.preflight(w, r)
		return
	}
	m, ok := dep.table.Match(r.Method, x.path, &x.params)
	if !ok || m.Value.target == nil {
		s.finish(w, x, dep, http.StatusNotFound, msgNotFound)
		return
	}
	x.route, x.routeKey = m.Value, m.Template
	if x.route.custom {
		s.finish(w, x, dep, http.StatusInternalServerError, msgInternal)
		return
	}
	if au := x.route.auth; au != nil {
		status, msg := au.authorize(r.Context(), x)
		if status != 0 {
			s.finish(w, x, dep, status, msg)
			return
		}
	}
	res, err := x.route.target.invoke(r.Context(), s, x)
	if err != nil {
		status, msg := http.StatusInternalServerError, msgInternal
		if errors.Is(err, errTimeout) {
			status, msg = http.StatusServiceUnavailable, msgUnavailable
		}
		if s.cfg.Log.Enabled(r.Context(), slog.LevelWarn) {
			s.cfg.Log.LogAttrs(r.Context(), slog.LevelWarn, "http api integration failed",
				slog.String("requestId", x.requestID), slog.String("api", a.id), slog.String("route", x.routeKey),
				slog.String("err", err.Error()))
		}
		s.finish(w, x, dep, status, msg)
		return
	}
	h := w.Header()
	for k, vs := range res.header {
		if !droppedResponse(k) {
			h[k] = vs
		}
	}
	if dep.cors != nil {
		dep.cors.decorate(h, r)
	}
	writeBody(w, res.status, res.body)
}

// release returns x to the pool once the answer no longer needs it. The
// answer's header values may live in x's scratch, and a ResponseWriter
// may write its header only after the handler returns (Portico's server
// holds an answer back to send it in one write), so the answer is
// flushed first: the bytes it holds are then the connection's.
func (s *Server) release(w http.ResponseWriter, x *exchange) {
	f, ok := w.(http.Flusher)
	if !ok {
		return // no telling when the answer is written: x is left to the collector
	}
	f.Flush()
	x.reset()
	s.pool.Put(x)
}

// finish writes a gateway error, with CORS headers when configured.
func (s *Server) finish(w http.ResponseWriter, x *exchange, dep *deployment, status int, msg []byte) {
	if dep.cors != nil {
		dep.cors.decorate(w.Header(), x.r)
	}
	writeMsg(w, status, msg)
}

var contentTypeJSON = []string{"application/json"}

func writeMsg(w http.ResponseWriter, status int, msg []byte) {
	w.Header()["Content-Type"] = contentTypeJSON
	writeBody(w, status, msg)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	if status == http.StatusNoContent || status == http.StatusNotModified || status < 200 {
		delete(w.Header(), "Content-Length")
		w.WriteHeader(status)
		return
	}
	w.Header()["Content-Length"] = httpwire.ContentLength(len(body))
	w.WriteHeader(status)
	w.Write(body)
}

func itoa(n int) string {
	if n >= 0 && n < 10 {
		return string(rune('0' + n))
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if i == len(b) {
		return "0"
	}
	return string(b[i:])
}

// newRequestID returns an id shaped like AWS's apigw-requestid
// (base64-ish, 16 characters).
func newRequestID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	// Request ids are unique, not secret: the runtime's per-thread
	// ChaCha8 generator is enough and costs no system call.
	var out [16]byte
	r := rand.Uint64()
	for i := range 15 {
		if i == 10 {
			r = rand.Uint64()
		}
		out[i] = alphabet[r%uint64(len(alphabet))]
		r /= uint64(len(alphabet))
	}
	out[15] = '='
	return string(out[:])
}

// unescapePath decodes an escaped path, returning it unchanged when it
// is not valid escaping.
func unescapePath(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	u, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return u
}
