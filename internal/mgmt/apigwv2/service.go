// Package apigwv2 serves the v2 (HTTP and WebSocket API) management
// operations of the AWS `apigatewayv2` service as the SDKs send them
// (control-plane.md §6): APIs (with quick create and CORS), routes,
// integrations, stages, deployments, authorizers, VPC links and tags.
// It validates and stores the model and keeps auto-deployed stages
// current; it never serves data-plane traffic. WebSocket APIs are
// stored and validated; only HTTP APIs are served by Portico today.
package apigwv2

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
// The service calls it after every change that a stage serves.
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
}

// Service implements the v2 operations over a Store.
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
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return &Service{cfg: cfg}
}

// Register adds the v2 operations to mux; every path starts with /v2/.
func (s *Service) Register(mux *mgmt.Mux) {
	const api = "/v2/apis/{api}"
	mux.Handle("POST", "/v2/apis", s.createAPI)
	mux.Handle("GET", "/v2/apis", s.getAPIs)
	mux.Handle("GET", api, s.getAPI)
	mux.Handle("PATCH", api, s.updateAPI)
	mux.Handle("DELETE", api, s.deleteAPI)
	mux.Handle("DELETE", api+"/cors", s.deleteCors)

	mux.Handle("POST", api+"/routes", s.createRoute)
	mux.Handle("GET", api+"/routes", s.getRoutes)
	mux.Handle("GET", api+"/routes/{route}", s.getRoute)
	mux.Handle("PATCH", api+"/routes/{route}", s.updateRoute)
	mux.Handle("DELETE", api+"/routes/{route}", s.deleteRoute)

	mux.Handle("POST", api+"/integrations", s.createIntegration)
	mux.Handle("GET", api+"/integrations", s.getIntegrations)
	mux.Handle("GET", api+"/integrations/{integration}", s.getIntegration)
	mux.Handle("PATCH", api+"/integrations/{integration}", s.updateIntegration)
	mux.Handle("DELETE", api+"/integrations/{integration}", s.deleteIntegration)

	mux.Handle("POST", api+"/authorizers", s.createAuthorizer)
	mux.Handle("GET", api+"/authorizers", s.getAuthorizers)
	mux.Handle("GET", api+"/authorizers/{authorizer}", s.getAuthorizer)
	mux.Handle("PATCH", api+"/authorizers/{authorizer}", s.updateAuthorizer)
	mux.Handle("DELETE", api+"/authorizers/{authorizer}", s.deleteAuthorizer)

	mux.Handle("POST", api+"/stages", s.createStage)
	mux.Handle("GET", api+"/stages", s.getStages)
	mux.Handle("GET", api+"/stages/{stage}", s.getStage)
	mux.Handle("PATCH", api+"/stages/{stage}", s.updateStage)
	mux.Handle("DELETE", api+"/stages/{stage}", s.deleteStage)
	mux.Handle("DELETE", api+"/stages/{stage}/accesslogsettings", s.deleteAccessLogSettings)
	mux.Handle("DELETE", api+"/stages/{stage}/routesettings/{routeKey}", s.deleteRouteSettings)
	mux.Handle("DELETE", api+"/stages/{stage}/cache/authorizers", s.resetAuthorizersCache)

	mux.Handle("POST", api+"/deployments", s.createDeployment)
	mux.Handle("GET", api+"/deployments", s.getDeployments)
	mux.Handle("GET", api+"/deployments/{deployment}", s.getDeployment)
	mux.Handle("PATCH", api+"/deployments/{deployment}", s.updateDeployment)
	mux.Handle("DELETE", api+"/deployments/{deployment}", s.deleteDeployment)

	mux.Handle("POST", "/v2/vpclinks", s.createVpcLink)
	mux.Handle("GET", "/v2/vpclinks", s.getVpcLinks)
	mux.Handle("GET", "/v2/vpclinks/{link}", s.getVpcLink)
	mux.Handle("PATCH", "/v2/vpclinks/{link}", s.updateVpcLink)
	mux.Handle("DELETE", "/v2/vpclinks/{link}", s.deleteVpcLink)

	mux.Handle("GET", "/v2/tags/{arn}", s.getTags)
	mux.Handle("POST", "/v2/tags/{arn}", s.tagResource)
	mux.Handle("DELETE", "/v2/tags/{arn}", s.untagResource)
}

func notFound(resourceType, format string, args ...any) *awserr.Error {
	e := awserr.NotFound(format, args...)
	e.Extra = map[string]string{"resourceType": resourceType}
	return e
}

func (s *Service) loadAPI(tx store.Tx, id string) (*model.V2Api, error) {
	var a model.V2Api
	if err := mgmt.GetJSON(tx, model.V2APIKey(id), &a); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Api", "Invalid API identifier specified %s:%s", s.cfg.AccountID, id)
		}
		return nil, err
	}
	return &a, nil
}

// load reads one child entity of an API, answering NotFound with what.
func load[T any](tx store.Tx, key, resourceType, what string) (*T, error) {
	v := new(T)
	if err := mgmt.GetJSON(tx, key, v); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound(resourceType, "Invalid %s identifier specified", what)
		}
		return nil, err
	}
	return v, nil
}

func (s *Service) view(r *http.Request, fn func(store.Tx) error) error {
	return s.cfg.Store.View(r.Context(), fn)
}

func (s *Service) update(r *http.Request, fn func(store.Tx) error) error {
	return s.cfg.Store.Update(r.Context(), fn)
}

// publish asks the data plane to serve what is stored for api. A failure
// is logged: the write is durable and the next reload picks it up.
func (s *Service) publish(r *http.Request, api string) {
	if s.cfg.Publisher == nil {
		return
	}
	if err := s.cfg.Publisher.Reload(r.Context(), api); err != nil {
		s.cfg.Log.Error("reload v2 api for the data plane", "api", api, "err", err)
	}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// snapshot freezes the API's current routes, integrations and
// authorizers.
func snapshot(tx store.Tx, api *model.V2Api) (*model.V2Snapshot, error) {
	routes, err := mgmt.ListJSON[model.V2Route](tx, "v2routes/"+api.APIID+"/")
	if err != nil {
		return nil, err
	}
	its, err := mgmt.ListJSON[model.V2Integration](tx, "v2integrations/"+api.APIID+"/")
	if err != nil {
		return nil, err
	}
	auths, err := mgmt.ListJSON[model.V2Authorizer](tx, "v2authorizers/"+api.APIID+"/")
	if err != nil {
		return nil, err
	}
	return &model.V2Snapshot{API: *api, Routes: routes, Integrations: its, Authorizers: auths}, nil
}

// deploy stores a new deployment of api with its snapshot.
func (s *Service) deploy(tx store.Tx, api *model.V2Api, desc string, auto bool) (*model.V2Deployment, error) {
	snap, err := snapshot(tx, api)
	if err != nil {
		return nil, err
	}
	d := &model.V2Deployment{AutoDeployed: auto, CreatedDate: s.now(), DeploymentID: model.NewID(7),
		DeploymentStatus: "DEPLOYED", Description: desc}
	if err := mgmt.PutJSON(tx, model.V2SnapshotKey(api.APIID, d.DeploymentID), snap); err != nil {
		return nil, err
	}
	if err := mgmt.PutJSON(tx, model.V2DeploymentKey(api.APIID, d.DeploymentID), d); err != nil {
		return nil, err
	}
	return d, nil
}

// autoDeploy makes every autoDeploy stage of api serve its current state
// (control-plane.md §6.1: changes reach auto-deployed stages at once). It
// reports whether a stage changed.
func (s *Service) autoDeploy(tx store.Tx, apiID string) (bool, error) {
	stages, err := mgmt.ListJSON[model.V2Stage](tx, "v2stages/"+apiID+"/")
	if err != nil {
		return false, err
	}
	var auto []*model.V2Stage
	for _, st := range stages {
		if st.AutoDeploy {
			auto = append(auto, st)
		}
	}
	if len(auto) == 0 {
		return false, nil
	}
	api, err := s.loadAPI(tx, apiID)
	if err != nil {
		return false, err
	}
	d, err := s.deploy(tx, api, "Automatic deployment triggered by changes to the Api configuration", true)
	if err != nil {
		return false, err
	}
	for _, st := range auto {
		st.DeploymentID = d.DeploymentID
		st.LastUpdatedDate = s.now()
		st.LastDeploymentStatusMessage = "Successfully deployed stage with deployment ID '" + d.DeploymentID + "'"
		if err := mgmt.PutJSON(tx, model.V2StageKey(apiID, st.StageName), st); err != nil {
			return false, err
		}
	}
	return true, nil
}

// changed runs fn in one transaction, then auto-deploys and publishes.
func (s *Service) changed(r *http.Request, apiID string, fn func(tx store.Tx) error) error {
	deployed := false
	err := s.update(r, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		var err error
		deployed, err = s.autoDeploy(tx, apiID)
		return err
	})
	if err != nil {
		return err
	}
	if deployed {
		s.publish(r, apiID)
	}
	return nil
}
