package apigw_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

// TestRestartKeepsEverything: an acknowledged write survives a restart of
// the server on the same data directory (bbolt file), and deployed stages
// serve again without any call (issue: store, persistence).
func TestRestartKeepsEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := porticotest.StartWith(t, porticotest.Options{DataDir: dir})
	c := srv.APIGateway()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("persist"), BinaryMediaTypes: []string{"image/png"}})
	if err != nil {
		t.Fatal(err)
	}
	mock(t, c, *api.Id, *api.RootResourceId, "GET", `{"statusCode": 200}`, `{"persisted":true}`)
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod"),
		Variables: map[string]string{"color": "blue"}}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()

	srv2 := porticotest.StartWith(t, porticotest.Options{DataDir: dir})
	c2 := srv2.APIGateway()
	got, err := c2.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Name != "persist" || got.BinaryMediaTypes[0] != "image/png" || *got.RootResourceId != *api.RootResourceId {
		t.Fatalf("after restart: %+v", got)
	}
	st, err := c2.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if st.Variables["color"] != "blue" {
		t.Fatalf("stage variables after restart: %v", st.Variables)
	}
	resp := srv2.Invoke(t, "GET", *api.Id, "prod", "/", nil, nil)
	if body := porticotest.ReadBody(t, resp); resp.StatusCode != 200 || body != `{"persisted":true}` {
		t.Fatalf("served after restart: %d %s", resp.StatusCode, body)
	}
}

// mock puts a MOCK method with a 200 method response and a default
// integration response on a resource.
func mock(t *testing.T, c *apigateway.Client, api, res, verb, reqTpl, respTpl string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb, AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb,
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": reqTpl}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb, StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb,
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": respTpl}}); err != nil {
		t.Fatal(err)
	}
}

// TestResourcesAndPagination: resource tree rules (integrations-v1.md
// §11.1, control-plane.md §4), recursive delete, embed=methods, and
// position/limit paging (control-plane.md §1).
func TestResourcesAndPagination(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := srv.APIGateway()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("tree")})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(parent, part string) (*apigateway.CreateResourceOutput, error) {
		return c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: &parent, PathPart: &part})
	}
	pets, err := mk(*api.RootResourceId, "pets")
	if err != nil {
		t.Fatal(err)
	}
	pet, err := mk(*pets.Id, "{petId}")
	if err != nil {
		t.Fatal(err)
	}
	if *pet.Path != "/pets/{petId}" {
		t.Fatalf("path %s", *pet.Path)
	}
	_, err = mk(*api.RootResourceId, "pets")
	apiErr(t, err, 409, "ConflictException", "Another resource with the same parent already has this name: pets")
	_, err = mk(*pets.Id, "{other}")
	apiErr(t, err, 400, "BadRequestException", "A sibling ({petId}) of this resource already has a variable path part -- only one is allowed")
	greedy, err := mk(*api.RootResourceId, "{proxy+}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = mk(*greedy.Id, "child")
	apiErr(t, err, 400, "BadRequestException", "Cannot create a child of a resource with a greedy path variable: {proxy+}")
	_, err = c.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: pets.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/parentId"), Value: pet.Id}}})
	apiErr(t, err, 400, "BadRequestException", "Resources cannot be cyclical.")
	_, err = c.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: api.RootResourceId,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/pathPart"), Value: aws.String("x")}}})
	apiErr(t, err, 400, "BadRequestException", "Root resource cannot update its pathPart.")
	// Renaming a parent renames the subtree's paths.
	if _, err := c.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: pets.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/pathPart"), Value: aws.String("animals")}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: api.Id, ResourceId: pet.Id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Path != "/animals/{petId}" {
		t.Fatalf("child path after rename: %s", *got.Path)
	}
	mock(t, c, *api.Id, *pet.Id, "GET", `{"statusCode": 200}`, `{}`)
	all, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.Items {
		if *r.Id == *pet.Id && (r.ResourceMethods["GET"].MethodIntegration == nil || r.ResourceMethods["GET"].MethodIntegration.Type != types.IntegrationTypeMock) {
			t.Fatalf("embed=methods did not embed the method: %+v", r.ResourceMethods)
		}
	}
	// Recursive delete.
	if _, err := c.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: api.Id, ResourceId: pets.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: api.Id, ResourceId: pet.Id})
	apiErr(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")

	// Paging: 30 resources, pages of 7, every item exactly once.
	for i := 0; i < 30; i++ {
		if _, err := mk(*api.RootResourceId, fmt.Sprintf("r%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	pages := 0
	p := apigateway.NewGetResourcesPaginator(c, &apigateway.GetResourcesInput{RestApiId: api.Id, Limit: aws.Int32(7)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Items) > 7 {
			t.Fatalf("page of %d items", len(out.Items))
		}
		for _, r := range out.Items {
			if seen[*r.Id] {
				t.Fatalf("resource %s on two pages", *r.Path)
			}
			seen[*r.Id] = true
		}
	}
	if len(seen) != 32 || pages != 5 { // root, {proxy+}, 30 new
		t.Fatalf("paged %d resources in %d pages, want 32 in 5", len(seen), pages)
	}
}

// TestStagesAndDeployments: stage variables through UpdateStage patches,
// deployments that stages use cannot be deleted, and a stage serves the
// deployment it points at (control-plane.md §5).
func TestStagesAndDeployments(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := srv.APIGateway()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("stages")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
	apiErr(t, err, 400, "BadRequestException", "The REST API doesn't contain any methods")
	mock(t, c, *api.Id, *api.RootResourceId, "GET", `{"statusCode": 200}`, `v1`)
	d1, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), DeploymentId: d1.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), DeploymentId: d1.Id})
	apiErr(t, err, 409, "ConflictException", "Stage already exists")
	st, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/variables/host"), Value: aws.String("example.com")},
		{Op: types.OpReplace, Path: aws.String("/*/*/throttling/rateLimit"), Value: aws.String("100")},
		{Op: types.OpReplace, Path: aws.String("/~1pets/GET/caching/enabled"), Value: aws.String("true")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Variables["host"] != "example.com" || st.MethodSettings["*/*"].ThrottlingRateLimit != 100 || !st.MethodSettings["pets/GET"].CachingEnabled {
		t.Fatalf("stage after patch: vars %v settings %+v", st.Variables, st.MethodSettings)
	}
	st, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpRemove, Path: aws.String("/variables/host")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Variables) != 0 {
		t.Fatalf("variable not removed: %v", st.Variables)
	}
	_, err = c.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: api.Id, DeploymentId: d1.Id})
	apiErr(t, err, 400, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")

	// A second deployment; the stage keeps serving d1 until moved.
	mock(t, c, *api.Id, *api.RootResourceId, "GET", `{"statusCode": 200}`, `v2`)
	d2, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if b := porticotest.ReadBody(t, srv.Invoke(t, "GET", *api.Id, "dev", "/", nil, nil)); b != "v1" {
		t.Fatalf("dev serves %q before the move", b)
	}
	if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: d2.Id}}}); err != nil {
		t.Fatal(err)
	}
	if b := porticotest.ReadBody(t, srv.Invoke(t, "GET", *api.Id, "dev", "/", nil, nil)); b != "v2" {
		t.Fatalf("dev serves %q after the move", b)
	}
	if _, err := c.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: api.Id, DeploymentId: d1.Id}); err != nil {
		t.Fatal(err)
	}
	// Unknown stage and unknown API: 403 Forbidden.
	for _, tc := range []struct{ api, stage string }{{*api.Id, "nope"}, {"zzzzzzzzzz", "dev"}} {
		resp := srv.Invoke(t, "GET", tc.api, tc.stage, "/", nil, nil)
		if b := porticotest.ReadBody(t, resp); resp.StatusCode != 403 || b != `{"message":"Forbidden"}` {
			t.Fatalf("%s/%s: %d %s", tc.api, tc.stage, resp.StatusCode, b)
		}
	}
	// Deleting the stage stops traffic; deleting the API removes it all.
	if _, err := c.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: api.Id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if resp := srv.Invoke(t, "GET", *api.Id, "dev", "/", nil, nil); resp.StatusCode != 403 {
		t.Fatalf("deleted stage still served: %d", resp.StatusCode)
	}
	if _, err := c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: api.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id})
	apiErr(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+*api.Id)
}

// TestDisableExecuteAPIEndpoint: with disableExecuteApiEndpoint the
// default endpoint answers 403 Forbidden once redeployed
// (errors-and-gateway-responses.md §3).
func TestDisableExecuteAPIEndpoint(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := srv.APIGateway()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("off")})
	if err != nil {
		t.Fatal(err)
	}
	mock(t, c, *api.Id, *api.RootResourceId, "GET", `{"statusCode": 200}`, `on`)
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if resp := srv.Invoke(t, "GET", *api.Id, "s", "/", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("enabled: %d", resp.StatusCode)
	}
	if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/disableExecuteApiEndpoint"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	resp := srv.Invoke(t, "GET", *api.Id, "s", "/", nil, nil)
	if body := porticotest.ReadBody(t, resp); resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("disabled: %d %s", resp.StatusCode, body)
	}
}
