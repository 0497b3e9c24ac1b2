// Package apigw serves the REST API (v1) management operations of the
// AWS `apigateway` service as the SDKs and CLI send them (control-plane.md
// §5): REST APIs, resources, methods, integrations, their responses,
// deployments, stages and gateway responses. It validates and stores the
// model; it never serves data-plane traffic.
package apigw

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// Publisher makes the data plane serve what the store holds for an API.
// The service calls it after every change to an API's stages or
// deployments, and after deleting an API.
type Publisher interface {
	Reload(ctx context.Context, apiID string) error
}

// Config wires a Service.
type Config struct {
	Store     store.Store
	Publisher Publisher
	Region    string
	AccountID string
	Log       *slog.Logger
	Now       func() time.Time
	// CheckTemplate parses a mapping template; a non-nil error rejects
	// the Put or Update that carries it. Nil accepts every template.
	CheckTemplate func(src string) error
	// TestInvoker serves TestInvokeMethod; nil answers 400.
	TestInvoker TestInvoker
	// Links makes VPC link changes reach the data plane; may be nil.
	Links LinkPublisher
	// Caches flushes stage caches (FlushStageCache); may be nil.
	Caches interface{ FlushStageCache(apiID, stage string) }
}

// Service implements the v1 operations over a Store.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}
}

// Register adds the v1 operations to mux.
func (s *Service) Register(mux *mgmt.Mux) {
	const (
		api  = "/restapis/{api}"
		res  = api + "/resources/{res}"
		meth = res + "/methods/{method}"
		intg = meth + "/integration"
	)
	mux.Handle("POST", "/restapis", s.createRestAPI)
	mux.Handle("GET", "/restapis", s.getRestAPIs)
	mux.Handle("GET", api, s.getRestAPI)
	mux.Handle("PATCH", api, s.updateRestAPI)
	mux.Handle("DELETE", api, s.deleteRestAPI)

	mux.Handle("GET", api+"/resources", s.getResources)
	mux.Handle("GET", res, s.getResource)
	mux.Handle("POST", res, s.createResource)
	mux.Handle("PATCH", res, s.updateResource)
	mux.Handle("DELETE", res, s.deleteResource)

	mux.Handle("PUT", meth, s.putMethod)
	mux.Handle("GET", meth, s.getMethod)
	mux.Handle("PATCH", meth, s.updateMethod)
	mux.Handle("DELETE", meth, s.deleteMethod)
	mux.Handle("POST", meth, s.testInvokeMethod)

	mux.Handle("PUT", meth+"/responses/{status}", s.putMethodResponse)
	mux.Handle("GET", meth+"/responses/{status}", s.getMethodResponse)
	mux.Handle("PATCH", meth+"/responses/{status}", s.updateMethodResponse)
	mux.Handle("DELETE", meth+"/responses/{status}", s.deleteMethodResponse)

	mux.Handle("PUT", intg, s.putIntegration)
	mux.Handle("GET", intg, s.getIntegration)
	mux.Handle("PATCH", intg, s.updateIntegration)
	mux.Handle("DELETE", intg, s.deleteIntegration)

	mux.Handle("PUT", intg+"/responses/{status}", s.putIntegrationResponse)
	mux.Handle("GET", intg+"/responses/{status}", s.getIntegrationResponse)
	mux.Handle("PATCH", intg+"/responses/{status}", s.updateIntegrationResponse)
	mux.Handle("DELETE", intg+"/responses/{status}", s.deleteIntegrationResponse)

	mux.Handle("POST", api+"/deployments", s.createDeployment)
	mux.Handle("GET", api+"/deployments", s.getDeployments)
	mux.Handle("GET", api+"/deployments/{dep}", s.getDeployment)
	mux.Handle("PATCH", api+"/deployments/{dep}", s.updateDeployment)
	mux.Handle("DELETE", api+"/deployments/{dep}", s.deleteDeployment)

	mux.Handle("POST", api+"/stages", s.createStage)
	mux.Handle("GET", api+"/stages", s.getStages)
	mux.Handle("GET", api+"/stages/{stage}", s.getStage)
	mux.Handle("PATCH", api+"/stages/{stage}", s.updateStage)
	mux.Handle("DELETE", api+"/stages/{stage}", s.deleteStage)
	mux.Handle("DELETE", api+"/stages/{stage}/cache/data", s.flushStageCache)
	mux.Handle("DELETE", api+"/stages/{stage}/cache/authorizers", s.flushStageAuthorizersCache)

	mux.Handle("POST", "/vpclinks", s.createVpcLink)
	mux.Handle("GET", "/vpclinks", s.getVpcLinks)
	mux.Handle("GET", "/vpclinks/{link}", s.getVpcLink)
	mux.Handle("PATCH", "/vpclinks/{link}", s.updateVpcLink)
	mux.Handle("DELETE", "/vpclinks/{link}", s.deleteVpcLink)

	mux.Handle("PUT", api+"/gatewayresponses/{type}", s.putGatewayResponse)
	mux.Handle("GET", api+"/gatewayresponses/{type}", s.getGatewayResponse)
	mux.Handle("GET", api+"/gatewayresponses", s.getGatewayResponses)
	mux.Handle("PATCH", api+"/gatewayresponses/{type}", s.updateGatewayResponse)
	mux.Handle("DELETE", api+"/gatewayresponses/{type}", s.deleteGatewayResponse)
}

// Store keys. Every entity of one API lives under a prefix ending in the
// API id and '/', so deleting an API is one DeletePrefix per kind.
func apiKey(id string) string             { return "restapis/" + id }
func resourceKey(api, id string) string   { return "resources/" + api + "/" + id }
func deploymentKey(api, id string) string { return "deployments/" + api + "/" + id }
func snapshotKey(api, id string) string   { return "snapshots/" + api + "/" + id }
func stageKey(api, name string) string    { return "stages/" + api + "/" + name }
func gwrKey(api, typ string) string       { return "gatewayresponses/" + api + "/" + typ }

// APIKey is where REST API id is stored.
func APIKey(id string) string { return apiKey(id) }

// SnapshotKey is where the snapshot of deployment id of api is stored.
func SnapshotKey(api, id string) string { return snapshotKey(api, id) }

// StageKey is where stage name of api is stored.
func StageKey(api, name string) string { return stageKey(api, name) }

// StagePrefix is the prefix of every stage of api.
func StagePrefix(api string) string { return "stages/" + api + "/" }

var apiPrefixes = []string{"resources/", "deployments/", "snapshots/", "stages/", "gatewayresponses/"}

func (s *Service) errAPI(id string) *awserr.Error {
	return awserr.NotFound("Invalid API identifier specified %s:%s", s.cfg.AccountID, id)
}

// loadAPI reads an API or answers AWS's NotFound.
func (s *Service) loadAPI(tx store.Tx, id string) (*model.RestApi, error) {
	var a model.RestApi
	if err := mgmt.GetJSON(tx, apiKey(id), &a); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, s.errAPI(id)
		}
		return nil, err
	}
	return &a, nil
}

func loadResource(tx store.Tx, api, id string) (*model.Resource, error) {
	var r model.Resource
	if err := mgmt.GetJSON(tx, resourceKey(api, id), &r); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, awserr.NotFound("Invalid Resource identifier specified")
		}
		return nil, err
	}
	return &r, nil
}

// loadMethod reads the API, the resource and one of its methods.
func (s *Service) loadMethod(tx store.Tx, p mgmt.Params) (*model.Resource, *model.Method, error) {
	if _, err := s.loadAPI(tx, p["api"]); err != nil {
		return nil, nil, err
	}
	r, err := loadResource(tx, p["api"], p["res"])
	if err != nil {
		return nil, nil, err
	}
	m := r.ResourceMethods[p["method"]]
	if m == nil {
		return nil, nil, awserr.NotFound("Invalid Method identifier specified")
	}
	return r, m, nil
}

func (s *Service) view(r *http.Request, fn func(store.Tx) error) error {
	return s.cfg.Store.View(r.Context(), fn)
}

func (s *Service) update(r *http.Request, fn func(store.Tx) error) error {
	return s.cfg.Store.Update(r.Context(), fn)
}

// publish asks the data plane to serve what is stored for api. A failure
// is logged: the write is already acknowledged and durable, and the next
// reload (or a restart) will pick it up.
func (s *Service) publish(r *http.Request, api string) {
	if s.cfg.Publisher == nil {
		return
	}
	if err := s.cfg.Publisher.Reload(r.Context(), api); err != nil {
		s.cfg.Log.Error("reload api for the data plane", "api", api, "err", err)
	}
}

func (s *Service) now() int64 { return s.cfg.Now().Unix() }

func parseBool(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, awserr.BadRequest("Invalid boolean value specified: %s", v)
}
