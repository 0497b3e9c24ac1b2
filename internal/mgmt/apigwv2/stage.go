package apigwv2

import (
	"errors"
	"net/http"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// stageInput is CreateStage's and UpdateStage's body.
type stageInput struct {
	AccessLogSettings    *model.V2AccessLogSettings        `json:"accessLogSettings"`
	AutoDeploy           *bool                             `json:"autoDeploy"`
	ClientCertificateID  *string                           `json:"clientCertificateId"`
	DefaultRouteSettings *model.V2RouteSettings            `json:"defaultRouteSettings"`
	DeploymentID         *string                           `json:"deploymentId"`
	Description          *string                           `json:"description"`
	RouteSettings        map[string]*model.V2RouteSettings `json:"routeSettings"`
	StageName            *string                           `json:"stageName"`
	StageVariables       map[string]string                 `json:"stageVariables"`
	Tags                 map[string]string                 `json:"tags"`
}

func (in *stageInput) apply(st *model.V2Stage) {
	if in.AccessLogSettings != nil {
		st.AccessLogSettings = in.AccessLogSettings
	}
	if in.AutoDeploy != nil {
		st.AutoDeploy = *in.AutoDeploy
	}
	if in.ClientCertificateID != nil {
		st.ClientCertificateID = *in.ClientCertificateID
	}
	if in.DefaultRouteSettings != nil {
		st.DefaultRouteSettings = in.DefaultRouteSettings
	}
	if in.DeploymentID != nil {
		st.DeploymentID = *in.DeploymentID
	}
	if in.Description != nil {
		st.Description = *in.Description
	}
	if in.RouteSettings != nil {
		if st.RouteSettings == nil {
			st.RouteSettings = map[string]*model.V2RouteSettings{}
		}
		for k, v := range in.RouteSettings {
			st.RouteSettings[k] = v
		}
	}
	if in.StageVariables != nil {
		// UpdateStage merges stage variables; an empty value removes one.
		if st.StageVariables == nil {
			st.StageVariables = map[string]string{}
		}
		for k, v := range in.StageVariables {
			if v == "" {
				delete(st.StageVariables, k)
			} else {
				st.StageVariables[k] = v
			}
		}
		if len(st.StageVariables) == 0 {
			st.StageVariables = nil
		}
	}
}

func (s *Service) checkStage(tx store.Tx, a *model.V2Api, st *model.V2Stage) error {
	if err := model.ValidateV2Stage(st); err != nil {
		return err
	}
	if st.StageName == "$default" && a.ProtocolType != model.ProtocolHTTP {
		return awserr.BadRequest("The $default stage is supported only for HTTP APIs")
	}
	if st.DeploymentID != "" {
		if _, err := tx.Get(model.V2DeploymentKey(a.APIID, st.DeploymentID)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return awserr.BadRequest("Deployment %s does not exist", st.DeploymentID)
			}
			return err
		}
	}
	for k := range st.RouteSettings {
		if err := model.ValidateV2RouteKey(a.ProtocolType, k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) createStage(r *http.Request, p mgmt.Params) (int, any, error) {
	var in stageInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.StageName == nil {
		return 0, nil, awserr.BadRequest("stageName is required")
	}
	st := &model.V2Stage{StageName: *in.StageName, CreatedDate: s.now(), LastUpdatedDate: s.now(), Tags: in.Tags,
		DefaultRouteSettings: &model.V2RouteSettings{}}
	in.apply(st)
	err := s.update(r, func(tx store.Tx) error {
		a, err := s.loadAPI(tx, p["api"])
		if err != nil {
			return err
		}
		if _, err := tx.Get(model.V2StageKey(a.APIID, st.StageName)); err == nil {
			return awserr.Conflict("Stage %s already exists", st.StageName)
		}
		if err := s.checkStage(tx, a, st); err != nil {
			return err
		}
		if err := mgmt.PutJSON(tx, model.V2StageKey(a.APIID, st.StageName), st); err != nil {
			return err
		}
		if st.AutoDeploy {
			_, err := s.autoDeploy(tx, a.APIID)
			if err != nil {
				return err
			}
			return mgmt.GetJSON(tx, model.V2StageKey(a.APIID, st.StageName), st)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"])
	return http.StatusCreated, st, nil
}

func (s *Service) getStages(r *http.Request, p mgmt.Params) (int, any, error) {
	var list []*model.V2Stage
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		list, err = mgmt.ListJSON[model.V2Stage](tx, "v2stages/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	pg, err := mgmt.PaginateV2(r, list, func(x *model.V2Stage) string { return x.StageName })
	return http.StatusOK, pg, err
}

func (s *Service) loadStage(tx store.Tx, p mgmt.Params) (*model.V2Api, *model.V2Stage, error) {
	a, err := s.loadAPI(tx, p["api"])
	if err != nil {
		return nil, nil, err
	}
	st, err := load[model.V2Stage](tx, model.V2StageKey(a.APIID, p["stage"]), "Stage", "Stage")
	return a, st, err
}

func (s *Service) getStage(r *http.Request, p mgmt.Params) (int, any, error) {
	var st *model.V2Stage
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, st, err = s.loadStage(tx, p)
		return err
	})
	return http.StatusOK, st, err
}

// editStage loads a stage, lets fn change it, validates, stores and
// publishes it.
func (s *Service) editStage(r *http.Request, p mgmt.Params, fn func(st *model.V2Stage) error) (*model.V2Stage, error) {
	var st *model.V2Stage
	err := s.update(r, func(tx store.Tx) error {
		a, cur, err := s.loadStage(tx, p)
		if err != nil {
			return err
		}
		st = cur
		wasAuto := st.AutoDeploy
		if err := fn(st); err != nil {
			return err
		}
		st.LastUpdatedDate = s.now()
		if err := s.checkStage(tx, a, st); err != nil {
			return err
		}
		if err := mgmt.PutJSON(tx, model.V2StageKey(a.APIID, st.StageName), st); err != nil {
			return err
		}
		if st.AutoDeploy && !wasAuto {
			if _, err := s.autoDeploy(tx, a.APIID); err != nil {
				return err
			}
			return mgmt.GetJSON(tx, model.V2StageKey(a.APIID, st.StageName), st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.publish(r, p["api"])
	return st, nil
}

func (s *Service) updateStage(r *http.Request, p mgmt.Params) (int, any, error) {
	var in stageInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.StageName != nil || in.Tags != nil {
		return 0, nil, awserr.BadRequest("stageName and tags cannot be updated with UpdateStage")
	}
	st, err := s.editStage(r, p, func(st *model.V2Stage) error { in.apply(st); return nil })
	return http.StatusOK, st, err
}

func (s *Service) deleteStage(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		a, st, err := s.loadStage(tx, p)
		if err != nil {
			return err
		}
		if st.APIGatewayManaged {
			return awserr.Conflict("Cannot delete a stage managed by API Gateway")
		}
		return tx.Delete(model.V2StageKey(a.APIID, st.StageName))
	})
	if err != nil {
		return 0, nil, err
	}
	s.publish(r, p["api"])
	return http.StatusNoContent, nil, nil
}

func (s *Service) deleteAccessLogSettings(r *http.Request, p mgmt.Params) (int, any, error) {
	_, err := s.editStage(r, p, func(st *model.V2Stage) error { st.AccessLogSettings = nil; return nil })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (s *Service) deleteRouteSettings(r *http.Request, p mgmt.Params) (int, any, error) {
	_, err := s.editStage(r, p, func(st *model.V2Stage) error {
		if _, ok := st.RouteSettings[p["routeKey"]]; !ok {
			return notFound("RouteSettings", "Invalid route key specified: %s", p["routeKey"])
		}
		delete(st.RouteSettings, p["routeKey"])
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// resetAuthorizersCache: JWT authorizers keep no per-stage result cache in
// Portico; the operation only checks the stage exists.
func (s *Service) resetAuthorizersCache(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.view(r, func(tx store.Tx) error {
		_, _, err := s.loadStage(tx, p)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
