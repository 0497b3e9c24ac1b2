package apigwv2

import (
	"net/http"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

type deploymentInput struct {
	Description *string `json:"description"`
	StageName   *string `json:"stageName"`
}

// createDeployment freezes the API; with stageName it also points that
// stage at the new deployment (control-plane.md §6.1).
func (s *Service) createDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	var in deploymentInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	var d *model.V2Deployment
	err := s.update(r, func(tx store.Tx) error {
		a, err := s.loadAPI(tx, p["api"])
		if err != nil {
			return err
		}
		var st *model.V2Stage
		if in.StageName != nil {
			st, err = load[model.V2Stage](tx, model.V2StageKey(a.APIID, *in.StageName), "Stage", "Stage")
			if err != nil {
				return err
			}
			if st.AutoDeploy {
				return awserr.BadRequest("Stage %s has autoDeploy enabled; it is deployed automatically", st.StageName)
			}
		}
		desc := ""
		if in.Description != nil {
			desc = *in.Description
		}
		if d, err = s.deploy(tx, a, desc, false); err != nil {
			return err
		}
		if st != nil {
			st.DeploymentID = d.DeploymentID
			st.LastUpdatedDate = s.now()
			return mgmt.PutJSON(tx, model.V2StageKey(a.APIID, st.StageName), st)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	if in.StageName != nil {
		s.publish(r, p["api"])
	}
	return http.StatusCreated, d, nil
}

func (s *Service) getDeployments(r *http.Request, p mgmt.Params) (int, any, error) {
	var list []*model.V2Deployment
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		list, err = mgmt.ListJSON[model.V2Deployment](tx, "v2deployments/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	pg, err := mgmt.PaginateV2(r, list, func(x *model.V2Deployment) string { return x.DeploymentID })
	return http.StatusOK, pg, err
}

func (s *Service) loadDeployment(tx store.Tx, p mgmt.Params) (*model.V2Api, *model.V2Deployment, error) {
	a, err := s.loadAPI(tx, p["api"])
	if err != nil {
		return nil, nil, err
	}
	d, err := load[model.V2Deployment](tx, model.V2DeploymentKey(a.APIID, p["deployment"]), "Deployment", "Deployment")
	return a, d, err
}

func (s *Service) getDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	var d *model.V2Deployment
	err := s.view(r, func(tx store.Tx) error {
		var err error
		_, d, err = s.loadDeployment(tx, p)
		return err
	})
	return http.StatusOK, d, err
}

func (s *Service) updateDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	var in deploymentInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.StageName != nil {
		return 0, nil, awserr.BadRequest("stageName cannot be updated with UpdateDeployment")
	}
	var d *model.V2Deployment
	err := s.update(r, func(tx store.Tx) error {
		a, cur, err := s.loadDeployment(tx, p)
		if err != nil {
			return err
		}
		d = cur
		if in.Description != nil {
			d.Description = *in.Description
		}
		return mgmt.PutJSON(tx, model.V2DeploymentKey(a.APIID, d.DeploymentID), d)
	})
	return http.StatusOK, d, err
}

func (s *Service) deleteDeployment(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		a, d, err := s.loadDeployment(tx, p)
		if err != nil {
			return err
		}
		stages, err := mgmt.ListJSON[model.V2Stage](tx, "v2stages/"+a.APIID+"/")
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == d.DeploymentID {
				return awserr.BadRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		if err := tx.Delete(model.V2SnapshotKey(a.APIID, d.DeploymentID)); err != nil {
			return err
		}
		return tx.Delete(model.V2DeploymentKey(a.APIID, d.DeploymentID))
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
