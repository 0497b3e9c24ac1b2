package apigw

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

type createDeploymentInput struct {
	StageName           string            `json:"stageName"`
	StageDescription    string            `json:"stageDescription"`
	Description         string            `json:"description"`
	CacheClusterEnabled bool              `json:"cacheClusterEnabled"`
	CacheClusterSize    string            `json:"cacheClusterSize"`
	Variables           map[string]string `json:"variables"`
	CanarySettings      map[string]any    `json:"canarySettings"`
	TracingEnabled      bool              `json:"tracingEnabled"`
}

var cacheSizes = []string{"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}

func validateCacheSize(size string) error {
	if size == "" {
		return nil
	}
	for _, s := range cacheSizes {
		if s == size {
			return nil
		}
	}
	return awserr.Validation(awserr.Enum(size, "cacheClusterSize", cacheSizes...))
}

// freeze reads everything a deployment captures (control-plane.md §5:
// deployments are immutable snapshots) and checks that it can be served.
func (s *Service) freeze(tx store.Tx, apiID string) (*model.Snapshot, error) {
	a, err := s.loadAPI(tx, apiID)
	if err != nil {
		return nil, err
	}
	rs, err := mgmt.ListJSON[model.Resource](tx, "resources/"+apiID+"/")
	if err != nil {
		return nil, err
	}
	methods := 0
	for _, r := range rs {
		for _, verb := range sortedKeys(r.ResourceMethods) {
			methods++
			if r.ResourceMethods[verb].MethodIntegration == nil {
				return nil, awserr.BadRequest("No integration defined for method")
			}
		}
	}
	if methods == 0 {
		return nil, awserr.BadRequest("The REST API doesn't contain any methods")
	}
	gws, err := mgmt.ListJSON[model.GatewayResponse](tx, "gatewayresponses/"+apiID+"/")
	if err != nil {
		return nil, err
	}
	snap := &model.Snapshot{API: *a, Resources: rs}
	if len(gws) > 0 {
		snap.GatewayResponses = map[string]*model.GatewayResponse{}
		for _, g := range gws {
			snap.GatewayResponses[g.ResponseType] = g
		}
	}
	return snap, nil
}

func (s *Service) createDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	var in createDeploymentInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.StageName != "" {
		if err := model.ValidateStageName(in.StageName, "createDeploymentInput.stageName"); err != nil {
			return 0, nil, err
		}
	}
	if err := model.ValidateStageVariables(in.Variables); err != nil {
		return 0, nil, err
	}
	if err := validateCacheSize(in.CacheClusterSize); err != nil {
		return 0, nil, err
	}
	d := &model.Deployment{ID: model.NewID(10), Description: in.Description, CreatedDate: s.now()}
	err := s.update(r, func(tx store.Tx) error {
		snap, err := s.freeze(tx, p["api"])
		if err != nil {
			return err
		}
		if err := mgmt.PutJSON(tx, snapshotKey(p["api"], d.ID), snap); err != nil {
			return err
		}
		if err := mgmt.PutJSON(tx, deploymentKey(p["api"], d.ID), d); err != nil {
			return err
		}
		if in.StageName == "" {
			return nil
		}
		var st model.Stage
		err = mgmt.GetJSON(tx, stageKey(p["api"], in.StageName), &st)
		switch {
		case errors.Is(err, store.ErrNotFound):
			st = model.Stage{StageName: in.StageName, Description: in.StageDescription, CreatedDate: s.now(),
				CacheClusterEnabled: in.CacheClusterEnabled, CacheClusterSize: in.CacheClusterSize,
				TracingEnabled: in.TracingEnabled, MethodSettings: map[string]*model.MethodSetting{}}
			if st.CacheClusterEnabled {
				st.CacheClusterStatus = "AVAILABLE"
			} else {
				st.CacheClusterStatus = "NOT_AVAILABLE"
			}
		case err != nil:
			return err
		}
		st.DeploymentID = d.ID
		if in.Variables != nil {
			st.Variables = in.Variables
		}
		st.LastUpdatedDate = s.now()
		return mgmt.PutJSON(tx, stageKey(p["api"], in.StageName), &st)
	})
	if err != nil {
		return 0, nil, err
	}
	if in.StageName != "" {
		s.publish(r, p["api"])
	}
	return http.StatusCreated, d, nil
}

func (s *Service) getDeployments(r *http.Request, p mgmt.Params) (int, any, error) {
	var ds []*model.Deployment
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		ds, err = mgmt.ListJSON[model.Deployment](tx, "deployments/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	page, err := mgmt.Paginate(r, ds, func(d *model.Deployment) string { return d.ID })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

func (s *Service) loadDeployment(tx store.Tx, api, id string) (*model.Deployment, error) {
	if _, err := s.loadAPI(tx, api); err != nil {
		return nil, err
	}
	var d model.Deployment
	if err := mgmt.GetJSON(tx, deploymentKey(api, id), &d); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, awserr.NotFound("Invalid Deployment identifier specified")
		}
		return nil, err
	}
	return &d, nil
}

func (s *Service) getDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	var d *model.Deployment
	err := s.view(r, func(tx store.Tx) error {
		var err error
		d, err = s.loadDeployment(tx, p["api"], p["dep"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, d, nil
}

func (s *Service) updateDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateDeploymentInput")
	if err != nil {
		return 0, nil, err
	}
	var d *model.Deployment
	err = s.update(r, func(tx store.Tx) error {
		var err error
		if d, err = s.loadDeployment(tx, p["api"], p["dep"]); err != nil {
			return err
		}
		for _, op := range ops {
			if op.Path != "/description" || op.Op != "replace" {
				return mgmt.InvalidPath(op, "/description")
			}
			d.Description = op.Val()
		}
		return mgmt.PutJSON(tx, deploymentKey(p["api"], d.ID), d)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, d, nil
}

func (s *Service) deleteDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadDeployment(tx, p["api"], p["dep"]); err != nil {
			return err
		}
		stages, err := mgmt.ListJSON[model.Stage](tx, StagePrefix(p["api"]))
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == p["dep"] {
				return awserr.BadRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		if err := tx.Delete(deploymentKey(p["api"], p["dep"])); err != nil {
			return err
		}
		return tx.Delete(snapshotKey(p["api"], p["dep"]))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// --- stages ---

type createStageInput struct {
	StageName            *string           `json:"stageName"`
	DeploymentID         *string           `json:"deploymentId"`
	Description          string            `json:"description"`
	CacheClusterEnabled  bool              `json:"cacheClusterEnabled"`
	CacheClusterSize     string            `json:"cacheClusterSize"`
	Variables            map[string]string `json:"variables"`
	DocumentationVersion string            `json:"documentationVersion"`
	CanarySettings       map[string]any    `json:"canarySettings"`
	TracingEnabled       bool              `json:"tracingEnabled"`
	Tags                 map[string]string `json:"tags"`
}

func (s *Service) createStage(r *http.Request, p mgmt.Params) (int, any, error) {
	var in createStageInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.StageName == nil || in.DeploymentID == nil {
		field := "stageName"
		if in.StageName != nil {
			field = "deploymentId"
		}
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "createStageInput." + field, Constraint: "Member must not be null"})
	}
	if err := model.ValidateStageName(*in.StageName, "createStageInput.stageName"); err != nil {
		return 0, nil, err
	}
	if err := model.ValidateStageVariables(in.Variables); err != nil {
		return 0, nil, err
	}
	if err := validateCacheSize(in.CacheClusterSize); err != nil {
		return 0, nil, err
	}
	now := s.now()
	st := &model.Stage{StageName: *in.StageName, DeploymentID: *in.DeploymentID, Description: in.Description,
		CacheClusterEnabled: in.CacheClusterEnabled, CacheClusterSize: in.CacheClusterSize, Variables: in.Variables,
		DocumentationVer: in.DocumentationVersion, CanarySettings: in.CanarySettings, TracingEnabled: in.TracingEnabled,
		Tags: in.Tags, CreatedDate: now, LastUpdatedDate: now, MethodSettings: map[string]*model.MethodSetting{}}
	st.CacheClusterStatus = "NOT_AVAILABLE"
	if st.CacheClusterEnabled {
		st.CacheClusterStatus = "AVAILABLE"
	}
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadDeployment(tx, p["api"], st.DeploymentID); err != nil {
			return err
		}
		if _, err := tx.Get(stageKey(p["api"], st.StageName)); err == nil {
			return awserr.Conflict("Stage already exists")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return mgmt.PutJSON(tx, stageKey(p["api"], st.StageName), st)
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"])
	return http.StatusCreated, st, nil
}

func (s *Service) loadStage(tx store.Tx, api, name string) (*model.Stage, error) {
	if _, err := s.loadAPI(tx, api); err != nil {
		return nil, err
	}
	var st model.Stage
	if err := mgmt.GetJSON(tx, stageKey(api, name), &st); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, awserr.NotFound("Invalid Stage identifier specified")
		}
		return nil, err
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]*model.MethodSetting{}
	}
	return &st, nil
}

func (s *Service) getStages(r *http.Request, p mgmt.Params) (int, any, error) {
	var sts []*model.Stage
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		sts, err = mgmt.ListJSON[model.Stage](tx, StagePrefix(p["api"]))
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	if dep := r.URL.Query().Get("deploymentId"); dep != "" {
		kept := sts[:0]
		for _, st := range sts {
			if st.DeploymentID == dep {
				kept = append(kept, st)
			}
		}
		sts = kept
	}
	sort.Slice(sts, func(i, j int) bool { return sts[i].StageName < sts[j].StageName })
	// GetStages is not paginated: {"item": [...]}.
	return http.StatusOK, map[string]any{"item": sts}, nil
}

func (s *Service) getStage(r *http.Request, p mgmt.Params) (int, any, error) {
	var st *model.Stage
	err := s.view(r, func(tx store.Tx) error {
		var err error
		st, err = s.loadStage(tx, p["api"], p["stage"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, st, nil
}

func (s *Service) updateStage(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateStageInput")
	if err != nil {
		return 0, nil, err
	}
	var st *model.Stage
	err = s.update(r, func(tx store.Tx) error {
		var err error
		if st, err = s.loadStage(tx, p["api"], p["stage"]); err != nil {
			return err
		}
		for _, op := range ops {
			if err := s.patchStage(tx, p["api"], st, op); err != nil {
				return err
			}
		}
		if err := model.ValidateStageVariables(st.Variables); err != nil {
			return err
		}
		if err := validateCacheSize(st.CacheClusterSize); err != nil {
			return err
		}
		st.LastUpdatedDate = s.now()
		return mgmt.PutJSON(tx, stageKey(p["api"], st.StageName), st)
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"])
	return http.StatusOK, st, nil
}

func (s *Service) patchStage(tx store.Tx, api string, st *model.Stage, op mgmt.PatchOp) error {
	segs := mgmt.PointerSegments(op.Path)
	v := op.Val()
	switch {
	case len(segs) == 2 && segs[0] == "variables":
		if err := patchStringMap(&st.Variables, segs[1], op, "Invalid stage variable specified"); err != nil {
			return err
		}
		if len(st.Variables) == 0 {
			st.Variables = nil
		}
		return nil
	case len(segs) == 1 && op.Op == "replace":
		switch segs[0] {
		case "description":
			st.Description = v
		case "deploymentId":
			if _, err := s.loadDeployment(tx, api, v); err != nil {
				return err
			}
			st.DeploymentID = v
		case "cacheClusterEnabled":
			b, err := parseBool(v)
			if err != nil {
				return err
			}
			st.CacheClusterEnabled = b
			st.CacheClusterStatus = map[bool]string{true: "AVAILABLE", false: "NOT_AVAILABLE"}[b]
		case "cacheClusterSize":
			st.CacheClusterSize = v
		case "tracingEnabled":
			b, err := parseBool(v)
			if err != nil {
				return err
			}
			st.TracingEnabled = b
		case "documentationVersion":
			st.DocumentationVer = v
		case "clientCertificateId":
			st.ClientCertificateID = v
		case "webAclArn":
			st.WebACLArn = v
		default:
			return mgmt.InvalidPath(op, "/description", "/deploymentId", "/cacheClusterEnabled", "/cacheClusterSize",
				"/tracingEnabled", "/documentationVersion", "/clientCertificateId", "/variables/{name}", "/{resourcePath}/{httpMethod}/{setting}")
		}
		return nil
	case len(segs) >= 4 && (op.Op == "replace" || op.Op == "remove"):
		return patchMethodSetting(st, segs, op)
	}
	return mgmt.InvalidPath(op)
}

// patchMethodSetting applies /{resourcePath}/{method}/{group}/{name}
// (control-plane.md §3: /*/*/throttling/rateLimit and friends).
func patchMethodSetting(st *model.Stage, segs []string, op mgmt.PatchOp) error {
	key := strings.TrimPrefix(segs[0], "/") + "/" + segs[1]
	if op.Op == "remove" {
		delete(st.MethodSettings, key)
		return nil
	}
	ms := st.MethodSettings[key]
	if ms == nil {
		ms = &model.MethodSetting{CacheTTLInSeconds: 300, ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000,
			UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER", LoggingLevel: "OFF"}
		st.MethodSettings[key] = ms
	}
	v := op.Val()
	setting := strings.Join(segs[2:], "/")
	var err error
	switch setting {
	case "metrics/enabled":
		ms.MetricsEnabled, err = parseBool(v)
	case "logging/loglevel":
		ms.LoggingLevel = v
	case "logging/dataTrace":
		ms.DataTraceEnabled, err = parseBool(v)
	case "throttling/burstLimit":
		ms.ThrottlingBurstLimit, err = atoi(v)
	case "throttling/rateLimit":
		ms.ThrottlingRateLimit, err = atof(v)
	case "caching/enabled":
		ms.CachingEnabled, err = parseBool(v)
	case "caching/ttlInSeconds":
		ms.CacheTTLInSeconds, err = atoi(v)
		if err == nil && (ms.CacheTTLInSeconds < 0 || ms.CacheTTLInSeconds > 3600) {
			err = awserr.BadRequest("Cache ttl must be between 0 and 3600 seconds")
		}
	case "caching/dataEncrypted":
		ms.CacheDataEncrypted, err = parseBool(v)
	case "caching/requireAuthorizationForCacheControl", "caching/requireAuthorization":
		ms.RequireAuthorizationForCacheControl, err = parseBool(v)
	case "caching/unauthorizedCacheControlHeaderStrategy":
		ms.UnauthorizedCacheControlHeaderStrategy = v
	default:
		return mgmt.InvalidPath(op)
	}
	return err
}

func (s *Service) deleteStage(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadStage(tx, p["api"], p["stage"]); err != nil {
			return err
		}
		return tx.Delete(stageKey(p["api"], p["stage"]))
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"])
	return http.StatusAccepted, nil, nil
}

// flushStageCache is FlushStageCache: the stage's cache is emptied.
func (s *Service) flushStageCache(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.view(r, func(tx store.Tx) error {
		_, err := s.loadStage(tx, p["api"], p["stage"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	if s.cfg.Caches != nil {
		s.cfg.Caches.FlushStageCache(p["api"], p["stage"])
	}
	return http.StatusAccepted, nil, nil
}

// flushStageAuthorizersCache is FlushStageAuthorizersCache; authorizer
// results are not cached yet, so there is nothing to empty.
func (s *Service) flushStageAuthorizersCache(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.view(r, func(tx store.Tx) error {
		_, err := s.loadStage(tx, p["api"], p["stage"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}
