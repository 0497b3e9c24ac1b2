package apigw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/portico-dev/portico/internal/porticotest"
)

// FuzzManagementAPI sends arbitrary bodies to every v1 operation path of a
// real API: whatever a client sends, the answer is an AWS-style 4xx or a
// success, never a 5xx or a panic (control-plane.md wire notes).
func FuzzManagementAPI(f *testing.F) {
	srv := porticotest.Start(f)
	c := srv.APIGateway()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("fuzz")})
	if err != nil {
		f.Fatal(err)
	}
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("r")})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	paths := []string{"/restapis", "/restapis/{api}", "/restapis/{api}/resources", "/restapis/{api}/resources/{res}",
		"/restapis/{api}/resources/{res}/methods/GET", "/restapis/{api}/resources/{res}/methods/GET/integration",
		"/restapis/{api}/resources/{res}/methods/GET/responses/200", "/restapis/{api}/resources/{res}/methods/GET/integration/responses/200",
		"/restapis/{api}/deployments", "/restapis/{api}/stages", "/restapis/{api}/stages/s", "/restapis/{api}/gatewayresponses/DEFAULT_4XX",
		"/vpclinks", "/restapis/{api}/resources/{res}/methods/{x}"}
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	for _, seed := range []string{`{}`, `{"name":"x"}`, `{"type":"MOCK","requestTemplates":{"application/json":"#if("}}`,
		`{"patchOperations":[{"op":"replace","path":"/timeoutInMillis","value":"x"}]}`, `{"pathPart":"{a+}"}`,
		`{"stageName":"s","deploymentId":"zz"}`, `{"type":"HTTP","httpMethod":"GET","uri":"http://${stageVariables.x"}`, `[`, `null`, `"s"`} {
		for i := range paths {
			f.Add(uint8(i), uint8(i%len(methods)), "seg", seed)
		}
	}
	f.Fuzz(func(t *testing.T, pi, mi uint8, seg, body string) {
		p := paths[int(pi)%len(paths)]
		p = strings.ReplaceAll(p, "{api}", *api.Id)
		p = strings.ReplaceAll(p, "{res}", *res.Id)
		p = strings.ReplaceAll(p, "{x}", seg)
		req, err := http.NewRequest(methods[int(mi)%len(methods)], p, strings.NewReader(body))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", req.Method, p, body, rec.Code, rec.Body.String())
		}
	})
}
