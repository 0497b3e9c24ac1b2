package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/pipeline"
	"github.com/portico-dev/portico/internal/router"
)

// TestRequest is a TestInvokeMethod call (control-plane.md §5 Method).
type TestRequest struct {
	APIID            string
	AccountID        string
	Resource         *model.Resource
	Method           *model.Method
	BinaryMediaTypes []string
	PathWithQuery    string
	Header           http.Header
	Body             []byte
	StageVariables   map[string]string
}

// TestResult is what TestInvokeMethod answers.
type TestResult struct {
	Status  int
	Header  http.Header
	Body    []byte
	Log     string
	Latency time.Duration
}

// TestInvoke runs one method of the API as it is stored now (not as
// deployed), with a full execution trace, as API Gateway's test-invoke
// does.
func (d *Deployer) TestInvoke(ctx context.Context, in TestRequest) (*TestResult, error) {
	m, err := d.compileMethod(in.APIID, in.Resource, in.Method, in.BinaryMediaTypes)
	if err != nil {
		return nil, awserr.BadRequest("Method cannot be invoked: %v", err)
	}
	x := pipeline.Get()
	defer pipeline.Put(x)
	x.Start = time.Now()
	var id [16]byte
	rand.Read(id[:])
	h := hex.EncodeToString(id[:])
	x.RequestID = h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	x.ExtendedID = "test-invoke-extended-id"
	x.HTTPMethod = in.Method.HTTPMethod
	if x.HTTPMethod == "ANY" {
		x.HTTPMethod = "GET"
	}
	path, query, _ := strings.Cut(in.PathWithQuery, "?")
	if path == "" {
		path = in.Resource.Path
	}
	x.Path, x.RawQuery = path, query
	x.Header = in.Header
	if x.Header == nil {
		x.Header = http.Header{}
	}
	x.Body = in.Body
	x.Host = "test-invoke.execute-api"
	x.SourceIP = "test-invoke-source-ip"
	x.Stage = "test-invoke-stage"
	x.StageVars = in.StageVariables
	x.DeploymentID = "test-invoke-deployment-id"
	x.Protocol = "HTTP/1.1"
	x.APIID, x.AccountID = in.APIID, in.AccountID
	x.ResourcePath = in.Resource.Path
	x.Trace = &pipeline.Trace{}
	b := router.NewRESTBuilder[struct{}]()
	if err := b.Add(in.Resource.Path, []string{in.Method.HTTPMethod}, struct{}{}); err == nil {
		b.Build().Match(x.HTTPMethod, x.Path, &x.Params)
	}
	runErr := m.Run(ctx, x)
	if runErr != nil {
		var ge *awserr.GatewayError
		if !errors.As(runErr, &ge) {
			ge = &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: runErr}
		}
		x.Result = pipeline.GatewayResponses(nil).Render(ge, x)
		runErr = ge
	}
	res := &TestResult{Status: x.Result.Status, Header: x.Result.Header, Body: append([]byte(nil), x.Result.Body...),
		Latency: time.Since(x.Start)}
	res.Log = pipeline.ExecutionLog(x, runErr)
	return res, nil
}
