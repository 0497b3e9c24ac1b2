// Package deploy compiles stored deployments into the immutable Snapshot
// the data plane serves, and publishes it atomically. It reads the store
// when the management plane says an API changed (and once at start-up);
// the data plane never reads the store on a request.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/portico-dev/portico/internal/cache"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/pipeline"
	"github.com/portico-dev/portico/internal/router"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/vpclink"
)

// Factory builds the backend of one integration kind at deploy time.
type Factory func(it *model.Integration) (integration.Integration, error)

// Kinds maps an integration type (MOCK, HTTP, HTTP_PROXY, AWS, AWS_PROXY)
// to its Factory. Filled in cmd/portico.
type Kinds map[string]Factory

// Snapshot is everything the data plane serves. Never modified once
// published.
type Snapshot struct {
	apis map[string]*API
}

// API is one REST API as served.
type API struct {
	ID     string
	Stages map[string]*Stage
}

// Stage is one served stage of a REST API.
type Stage struct {
	Name         string
	DeploymentID string
	Variables    map[string]string
	Deployment   *Deployment
	// Cache is the stage's cache cluster, nil when disabled.
	Cache       cache.Cache
	methodCache map[*pipeline.Method]*MethodCache
}

// Deployment is a compiled deployment: its routing table and gateway
// responses. Stages pointing at the same deployment share it.
type Deployment struct {
	ID               string
	APIID            string
	Table            *router.RESTTable[*pipeline.Method]
	GatewayResponses pipeline.GatewayResponses
	BinaryMediaTypes []string
	// Disabled is the deployed API's disableExecuteApiEndpoint: like
	// AWS, a change takes effect with the next deployment.
	Disabled bool
	methods  []*pipeline.Method
}

// API returns the API with id, or nil.
func (s *Snapshot) API(id string) *API {
	if s == nil {
		return nil
	}
	return s.apis[id]
}

// Served holds the snapshot in use. Readers never lock.
type Served struct{ cur atomic.Pointer[Snapshot] }

// Load returns the current snapshot (never nil once a Deployer exists).
func (s *Served) Load() *Snapshot { return s.cur.Load() }

// Config wires a Deployer.
type Config struct {
	Store  store.Store
	Kinds  Kinds
	Log    *slog.Logger
	Served *Served
	// SnapshotKey and StagePrefix locate stored snapshots and stages.
	SnapshotKey func(api, id string) string
	StagePrefix func(api string) string
	APIKey      func(api string) string
	// VpcLinkPrefix locates stored REST VPC links; Targets maps their
	// target ARNs to upstreams.
	VpcLinkPrefix string
	Targets       vpclink.Targets
}

// Deployer compiles and publishes. Writers serialise on its mutex.
type Deployer struct {
	cfg    Config
	mu     sync.Mutex
	cache  map[string]*Deployment // by api/deployment id
	caches map[string]*stageCache // by api/stage
	links  atomic.Pointer[map[string]*vpclink.Link]
}

// New returns a Deployer publishing an empty snapshot.
func New(cfg Config) *Deployer {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Served.cur.Store(&Snapshot{apis: map[string]*API{}})
	return &Deployer{cfg: cfg, cache: map[string]*Deployment{}, caches: map[string]*stageCache{}}
}

// LoadAll compiles every API in the store (start-up).
func (d *Deployer) LoadAll(ctx context.Context) error {
	if err := d.ReloadLinks(ctx); err != nil {
		return err
	}
	var ids []string
	err := d.cfg.Store.View(ctx, func(tx store.Tx) error {
		kvs, err := tx.List("restapis/", "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			ids = append(ids, strings.TrimPrefix(kv.Key, "restapis/"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list apis: %w", err)
	}
	for _, id := range ids {
		if err := d.Reload(ctx, id); err != nil {
			d.cfg.Log.Error("compile api", "api", id, "err", err)
		}
	}
	return nil
}

// Reload rebuilds what is served for one API from the store and publishes
// a new snapshot with only that entry replaced.
func (d *Deployer) Reload(ctx context.Context, apiID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var (
		api    *model.RestApi
		stages []*model.Stage
		snaps  = map[string]*model.Snapshot{}
	)
	err := d.cfg.Store.View(ctx, func(tx store.Tx) error {
		b, err := tx.Get(d.cfg.APIKey(apiID))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		api = new(model.RestApi)
		if err := json.Unmarshal(b, api); err != nil {
			return err
		}
		kvs, err := tx.List(d.cfg.StagePrefix(apiID), "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			st := new(model.Stage)
			if err := json.Unmarshal(kv.Value, st); err != nil {
				return err
			}
			stages = append(stages, st)
			if _, ok := snaps[st.DeploymentID]; ok || d.cache[apiID+"/"+st.DeploymentID] != nil {
				continue
			}
			sb, err := tx.Get(d.cfg.SnapshotKey(apiID, st.DeploymentID))
			if err != nil {
				return fmt.Errorf("snapshot %s of stage %s: %w", st.DeploymentID, st.StageName, err)
			}
			snap := new(model.Snapshot)
			if err := json.Unmarshal(sb, snap); err != nil {
				return err
			}
			snaps[st.DeploymentID] = snap
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read api %s: %w", apiID, err)
	}
	var served *API
	if api != nil {
		served = &API{ID: apiID, Stages: map[string]*Stage{}}
		for _, st := range stages {
			key := apiID + "/" + st.DeploymentID
			dep := d.cache[key]
			if dep == nil {
				dep, err = d.compile(apiID, st.DeploymentID, snaps[st.DeploymentID])
				if err != nil {
					d.cfg.Log.Error("compile deployment", "api", apiID, "deployment", st.DeploymentID, "err", err)
					continue
				}
				d.cache[key] = dep
			}
			ss := &Stage{Name: st.StageName, DeploymentID: st.DeploymentID, Variables: st.Variables, Deployment: dep}
			if err := d.bindCache(apiID, st, ss); err != nil {
				d.cfg.Log.Error("stage cache", "api", apiID, "stage", st.StageName, "err", err)
			}
			served.Stages[st.StageName] = ss
		}
	}
	var keep map[string]*Stage
	if served != nil {
		keep = served.Stages
	}
	d.dropCaches(apiID, keep)
	// Compiled deployments no stage serves any more are dropped.
	for k := range d.cache {
		api, depID, _ := strings.Cut(k, "/")
		if api != apiID {
			continue
		}
		inUse := false
		for _, st := range keep {
			inUse = inUse || st.DeploymentID == depID
		}
		if !inUse {
			delete(d.cache, k)
		}
	}
	d.publish(apiID, served)
	return nil
}

func (d *Deployer) publish(apiID string, a *API) {
	old := d.cfg.Served.Load()
	next := &Snapshot{apis: maps.Clone(old.apis)}
	if a == nil {
		delete(next.apis, apiID)
		for k := range d.cache {
			if strings.HasPrefix(k, apiID+"/") {
				delete(d.cache, k)
			}
		}
	} else {
		next.apis[apiID] = a
	}
	d.cfg.Served.cur.Store(next)
}

// compile builds the routing table and compiled methods of a deployment.
func (d *Deployer) compile(apiID, depID string, snap *model.Snapshot) (*Deployment, error) {
	if snap == nil {
		return nil, fmt.Errorf("no snapshot")
	}
	b := router.NewRESTBuilder[*pipeline.Method]()
	var methods []*pipeline.Method
	rs := append([]*model.Resource(nil), snap.Resources...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Path < rs[j].Path })
	for _, r := range rs {
		for verb, m := range r.ResourceMethods {
			it := m.MethodIntegration
			if it == nil {
				continue
			}
			cm, err := d.compileMethod(apiID, r, m, snap.API.BinaryMediaTypes)
			if err != nil {
				d.cfg.Log.Warn("method not served", "api", apiID, "resource", r.Path, "method", verb, "err", err)
				continue
			}
			if err := b.Add(r.Path, []string{verb}, cm); err != nil {
				return nil, fmt.Errorf("route %s %s: %w", verb, r.Path, err)
			}
			methods = append(methods, cm)
		}
	}
	gws, err := pipeline.CompileGatewayResponses(snap.GatewayResponses)
	if err != nil {
		return nil, err
	}
	return &Deployment{ID: depID, APIID: apiID, Table: b.Build(), GatewayResponses: gws,
		BinaryMediaTypes: snap.API.BinaryMediaTypes, Disabled: snap.API.DisableExecuteAPIEndpoint, methods: methods}, nil
}

func (d *Deployer) compileMethod(apiID string, r *model.Resource, m *model.Method, binaryTypes []string) (*pipeline.Method, error) {
	it := m.MethodIntegration
	var backend integration.Integration
	if f := d.cfg.Kinds[it.Type]; f != nil {
		var err error
		if backend, err = f(it); err != nil {
			return nil, err
		}
	} else if it.Type != model.TypeMock {
		return nil, fmt.Errorf("integration type %s has no backend", it.Type)
	}
	return pipeline.CompileREST(pipeline.RESTConfig{APIID: apiID, Resource: r, Method: m, Integration: it, Backend: backend,
		BinaryMediaTypes: binaryTypes, Links: d.Link})
}
