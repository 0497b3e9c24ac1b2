package apigwv2_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v2 "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/portico-dev/portico/internal/porticotest"
)

func client(t *testing.T) (*porticotest.Server, *v2.Client) {
	t.Helper()
	srv := porticotest.Start(t)
	return srv, v2.NewFromConfig(srv.Config())
}

func httpAPI(t *testing.T, c *v2.Client) string {
	t.Helper()
	out, err := c.CreateApi(context.Background(), &v2.CreateApiInput{Name: aws.String("example"), ProtocolType: types.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	return *out.ApiId
}

func wantAPIError(t *testing.T, err error, code, contains string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), contains) {
		t.Fatalf("err = %s %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, contains)
	}
}

// TestLifecycle drives every v2 operation family through the SDK
// (control-plane.md §6).
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	api, err := c.CreateApi(ctx, &v2.CreateApiInput{Name: aws.String("pets"), ProtocolType: types.ProtocolTypeHttp,
		CorsConfiguration: &types.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}, MaxAge: aws.Int32(300)},
		Tags:              map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	id := *api.ApiId
	if len(id) != 10 || *api.RouteSelectionExpression != "${request.method} ${request.path}" ||
		*api.ApiEndpoint != "https://"+id+".execute-api.us-east-1.amazonaws.com" || api.CreatedDate == nil {
		t.Fatalf("CreateApi = %+v", api)
	}
	got, err := c.GetApi(ctx, &v2.GetApiInput{ApiId: &id})
	if err != nil || *got.CorsConfiguration.MaxAge != 300 || got.Tags["team"] != "a" {
		t.Fatalf("GetApi = %+v, %v", got, err)
	}
	if _, err := c.UpdateApi(ctx, &v2.UpdateApiInput{ApiId: &id, Description: aws.String("d"), DisableExecuteApiEndpoint: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	apis, err := c.GetApis(ctx, &v2.GetApisInput{})
	if err != nil || len(apis.Items) != 1 || *apis.Items[0].Description != "d" {
		t.Fatalf("GetApis = %+v, %v", apis, err)
	}

	it, err := c.CreateIntegration(ctx, &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String("https://example.com/{proxy}"), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*it.IntegrationId) != 7 || *it.TimeoutInMillis != 30000 || it.ConnectionType != types.ConnectionTypeInternet {
		t.Fatalf("CreateIntegration defaults = %+v", it)
	}
	rt, err := c.CreateRoute(ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /pets/{proxy+}"),
		Target: aws.String("integrations/" + *it.IntegrationId)})
	if err != nil {
		t.Fatal(err)
	}
	if rt.AuthorizationType != types.AuthorizationTypeNone {
		t.Fatalf("route authorizationType = %q", rt.AuthorizationType)
	}
	_, err = c.CreateRoute(ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /pets/{proxy+}")})
	wantAPIError(t, err, "ConflictException", "already exists")

	au, err := c.CreateAuthorizer(ctx, &v2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("jwt"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String("https://issuer.example.com"), Audience: []string{"aud1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRoute(ctx, &v2.UpdateRouteInput{ApiId: &id, RouteId: rt.RouteId, AuthorizationType: types.AuthorizationTypeJwt,
		AuthorizerId: au.AuthorizerId, AuthorizationScopes: []string{"read"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAuthorizer(ctx, &v2.DeleteAuthorizerInput{ApiId: &id, AuthorizerId: au.AuthorizerId})
	wantAPIError(t, err, "ConflictException", "used by route")

	st, err := c.CreateStage(ctx, &v2.CreateStageInput{ApiId: &id, StageName: aws.String("prod"),
		StageVariables:       map[string]string{"env": "prod"},
		DefaultRouteSettings: &types.RouteSettings{ThrottlingBurstLimit: aws.Int32(10), ThrottlingRateLimit: aws.Float64(5)},
		RouteSettings:        map[string]types.RouteSettings{"GET /pets/{proxy+}": {ThrottlingBurstLimit: aws.Int32(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	if *st.DefaultRouteSettings.ThrottlingBurstLimit != 10 || *st.RouteSettings["GET /pets/{proxy+}"].ThrottlingBurstLimit != 2 {
		t.Fatalf("CreateStage = %+v", st)
	}
	dep, err := c.CreateDeployment(ctx, &v2.CreateDeploymentInput{ApiId: &id, StageName: aws.String("prod")})
	if err != nil || dep.DeploymentStatus != types.DeploymentStatusDeployed {
		t.Fatalf("CreateDeployment = %+v, %v", dep, err)
	}
	gs, err := c.GetStage(ctx, &v2.GetStageInput{ApiId: &id, StageName: aws.String("prod")})
	if err != nil || *gs.DeploymentId != *dep.DeploymentId {
		t.Fatalf("GetStage = %+v, %v", gs, err)
	}
	_, err = c.DeleteDeployment(ctx, &v2.DeleteDeploymentInput{ApiId: &id, DeploymentId: dep.DeploymentId})
	wantAPIError(t, err, "BadRequestException", "Active stages")

	// $default stage with autoDeploy: a deployment is made at once.
	ds, err := c.CreateStage(ctx, &v2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	if err != nil || ds.DeploymentId == nil {
		t.Fatalf("CreateStage $default = %+v, %v", ds, err)
	}
	stages, err := c.GetStages(ctx, &v2.GetStagesInput{ApiId: &id})
	if err != nil || len(stages.Items) != 2 {
		t.Fatalf("GetStages = %+v, %v", stages, err)
	}

	link, err := c.CreateVpcLink(ctx, &v2.CreateVpcLinkInput{Name: aws.String("link"), SubnetIds: []string{"subnet-1"}})
	if err != nil || link.VpcLinkStatus != types.VpcLinkStatusAvailable || link.VpcLinkVersion != types.VpcLinkVersionV2 {
		t.Fatalf("CreateVpcLink = %+v, %v", link, err)
	}
	arn := "arn:aws:apigateway:us-east-1::/vpclinks/" + *link.VpcLinkId
	if _, err := c.TagResource(ctx, &v2.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"portico:targets": "127.0.0.1:1"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.GetTags(ctx, &v2.GetTagsInput{ResourceArn: &arn})
	if err != nil || tags.Tags["portico:targets"] != "127.0.0.1:1" {
		t.Fatalf("GetTags = %+v, %v", tags, err)
	}
	if _, err := c.UntagResource(ctx, &v2.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"portico:targets"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = c.GetTags(ctx, &v2.GetTagsInput{ResourceArn: &arn})
	if len(tags.Tags) != 0 {
		t.Fatalf("tags after untag = %v", tags.Tags)
	}
	if _, err := c.DeleteVpcLink(ctx, &v2.DeleteVpcLinkInput{VpcLinkId: link.VpcLinkId}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.DeleteApi(ctx, &v2.DeleteApiInput{ApiId: &id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetApi(ctx, &v2.GetApiInput{ApiId: &id})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("GetApi after delete: %v", err)
	}
}

// TestQuickCreate: target creates a managed integration, a $default
// route and an auto-deployed $default stage (control-plane.md §6.1).
func TestQuickCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	api, err := c.CreateApi(ctx, &v2.CreateApiInput{Name: aws.String("quick"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("arn:aws:lambda:us-east-1:123456789012:function:hello")})
	if err != nil {
		t.Fatal(err)
	}
	its, err := c.GetIntegrations(ctx, &v2.GetIntegrationsInput{ApiId: api.ApiId})
	if err != nil || len(its.Items) != 1 || !*its.Items[0].ApiGatewayManaged || *its.Items[0].PayloadFormatVersion != "2.0" ||
		its.Items[0].IntegrationType != types.IntegrationTypeAwsProxy {
		t.Fatalf("integrations = %+v, %v", its, err)
	}
	routes, _ := c.GetRoutes(ctx, &v2.GetRoutesInput{ApiId: api.ApiId})
	if len(routes.Items) != 1 || *routes.Items[0].RouteKey != "$default" {
		t.Fatalf("routes = %+v", routes.Items)
	}
	st, err := c.GetStage(ctx, &v2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("$default")})
	if err != nil || !*st.AutoDeploy || st.DeploymentId == nil {
		t.Fatalf("stage = %+v, %v", st, err)
	}
	_, err = c.DeleteIntegration(ctx, &v2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: its.Items[0].IntegrationId})
	wantAPIError(t, err, "ConflictException", "managed")
}

// TestSeedExamples creates the seed 002 integrations that fit an HTTP
// API and reads them back as written.
func TestSeedExamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	id := httpAPI(t, c)

	// Lambda Integration (payload 2.0).
	lam, err := c.CreateIntegration(ctx, &v2.CreateIntegrationInput{ApiId: &id, ConnectionType: types.ConnectionTypeInternet,
		Description: aws.String("Lambda example"), IntegrationMethod: aws.String("POST"), IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri:       aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Example/invocations"),
		PayloadFormatVersion: aws.String("2.0"), PassthroughBehavior: types.PassthroughBehaviorWhenNoMatch})
	if err != nil {
		t.Fatal(err)
	}
	if lam.PassthroughBehavior != "" || *lam.PayloadFormatVersion != "2.0" {
		t.Fatalf("lambda integration = %+v", lam)
	}

	// AWS Service Integration: SQS-SendMessage.
	sqs, err := c.CreateIntegration(ctx, &v2.CreateIntegrationInput{ApiId: &id, CredentialsArn: aws.String("arn:aws:iam::123456789012:role/example"),
		Description: aws.String("SQS example"), IntegrationSubtype: aws.String("SQS-SendMessage"), IntegrationType: types.IntegrationTypeAwsProxy,
		PayloadFormatVersion: aws.String("1.0"),
		RequestParameters:    map[string]string{"MessageBody": "$request.body.message", "QueueUrl": "$request.header.queueUrl"}})
	if err != nil {
		t.Fatal(err)
	}
	if *sqs.IntegrationSubtype != "SQS-SendMessage" || sqs.RequestParameters["QueueUrl"] != "$request.header.queueUrl" {
		t.Fatalf("sqs integration = %+v", sqs)
	}

	// Private Integration with request/response parameters and tls_config.
	link, err := c.CreateVpcLink(ctx, &v2.CreateVpcLinkInput{Name: aws.String("example"), SubnetIds: []string{"subnet-1"}})
	if err != nil {
		t.Fatal(err)
	}
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/example/50dc6c495c0c9188/f2f7dc8efc522ab2"
	priv, err := c.CreateIntegration(ctx, &v2.CreateIntegrationInput{ApiId: &id, ConnectionId: link.VpcLinkId, ConnectionType: types.ConnectionTypeVpcLink,
		CredentialsArn: aws.String("arn:aws:iam::123456789012:role/example"), Description: aws.String("Example with a load balancer"),
		IntegrationMethod: aws.String("ANY"), IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: &listener,
		PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"append:header.authforintegration": "$context.authorizer.authorizerResponse",
			"overwrite:path": "staticValueForIntegration"},
		ResponseParameters: map[string]map[string]string{"403": {"append:header.auth": "$context.authorizer.authorizerResponse"},
			"200": {"overwrite:statuscode": "204"}},
		TlsConfig: &types.TlsConfigInput{ServerNameToVerify: aws.String("example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	if *priv.TlsConfig.ServerNameToVerify != "example.com" || priv.ResponseParameters["200"]["overwrite:statuscode"] != "204" ||
		priv.RequestParameters["overwrite:path"] != "staticValueForIntegration" {
		t.Fatalf("private integration = %+v", priv)
	}

	// Update semantics: "" removes a request parameter, {} a status code.
	up, err := c.UpdateIntegration(ctx, &v2.UpdateIntegrationInput{ApiId: &id, IntegrationId: priv.IntegrationId,
		RequestParameters:  map[string]string{"overwrite:path": ""},
		ResponseParameters: map[string]map[string]string{"403": {}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := up.RequestParameters["overwrite:path"]; ok || len(up.ResponseParameters) != 1 || len(up.RequestParameters) != 1 {
		t.Fatalf("updated = req %v resp %v", up.RequestParameters, up.ResponseParameters)
	}
	_, err = c.UpdateIntegration(ctx, &v2.UpdateIntegrationInput{ApiId: &id, IntegrationId: sqs.IntegrationId,
		IntegrationSubtype: aws.String("SQS-PurgeQueue")})
	wantAPIError(t, err, "BadRequestException", "integrationSubtype")
}

// TestIntegrationValidation checks every argument rule of seeds 002 and
// 004 (integrations-v2.md §1–§6): each violation is a 400
// BadRequestException naming the field.
func TestIntegrationValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	id := httpAPI(t, c)
	link, err := c.CreateVpcLink(ctx, &v2.CreateVpcLinkInput{Name: aws.String("l"), SubnetIds: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2"
	lambdaARN := "arn:aws:lambda:us-east-1:123456789012:function:f"
	role := "arn:aws:iam::123456789012:role/r"
	httpProxy := func(mod func(*v2.CreateIntegrationInput)) *v2.CreateIntegrationInput {
		in := &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeHttpProxy,
			IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String("https://example.com"), PayloadFormatVersion: aws.String("1.0")}
		mod(in)
		return in
	}
	for _, tc := range []struct {
		name, field string
		in          *v2.CreateIntegrationInput
	}{
		{"integrationType MOCK only for WebSocket", "integrationType", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeMock}},
		{"integrationType HTTP only for WebSocket", "integrationType", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationType = types.IntegrationTypeHttp })},
		{"integrationType enum", "integrationType", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationType = "FTP" })},
		{"HTTP_PROXY needs integrationMethod", "integrationMethod", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationMethod = nil })},
		{"HTTP_PROXY needs integrationUri", "integrationUri", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationUri = nil })},
		{"HTTP_PROXY uri is an absolute URL", "integrationUri", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationUri = aws.String("/relative") })},
		{"integrationMethod is a verb", "integrationMethod", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationMethod = aws.String("FETCH") })},
		{"payloadFormatVersion enum", "payloadFormatVersion", httpProxy(func(in *v2.CreateIntegrationInput) { in.PayloadFormatVersion = aws.String("3.0") })},
		{"payloadFormatVersion 2.0 only for Lambda", "payloadFormatVersion", httpProxy(func(in *v2.CreateIntegrationInput) { in.PayloadFormatVersion = aws.String("2.0") })},
		{"timeoutInMillis below 50", "timeoutInMillis", httpProxy(func(in *v2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(49) })},
		{"timeoutInMillis above 30000", "timeoutInMillis", httpProxy(func(in *v2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(30001) })},
		{"connectionType enum", "connectionType", httpProxy(func(in *v2.CreateIntegrationInput) { in.ConnectionType = "VPN" })},
		{"VPC_LINK needs connectionId", "connectionId", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ConnectionType, in.IntegrationUri = types.ConnectionTypeVpcLink, &listener
		})},
		{"connectionId at most 1024", "connectionId", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ConnectionType, in.IntegrationUri, in.ConnectionId = types.ConnectionTypeVpcLink, &listener, aws.String(strings.Repeat("a", 1025))
		})},
		{"connectionId only with VPC_LINK", "connectionId", httpProxy(func(in *v2.CreateIntegrationInput) { in.ConnectionId = link.VpcLinkId })},
		{"connectionId names a VPC link", "connectionId", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ConnectionType, in.IntegrationUri, in.ConnectionId = types.ConnectionTypeVpcLink, &listener, aws.String("nolink")
		})},
		{"private uri is a listener or Cloud Map ARN", "integrationUri", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ConnectionType, in.ConnectionId = types.ConnectionTypeVpcLink, link.VpcLinkId
		})},
		{"tlsConfig only for private integrations", "tlsConfig", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.TlsConfig = &types.TlsConfigInput{ServerNameToVerify: aws.String("example.com")}
		})},
		{"serverNameToVerify at most 512", "serverNameToVerify", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ConnectionType, in.ConnectionId, in.IntegrationUri = types.ConnectionTypeVpcLink, link.VpcLinkId, &listener
			in.TlsConfig = &types.TlsConfigInput{ServerNameToVerify: aws.String(strings.Repeat("a", 513))}
		})},
		{"integrationSubtype only with AWS_PROXY", "integrationSubtype", httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationSubtype = aws.String("SQS-SendMessage") })},
		{"integrationSubtype at most 128", "integrationSubtype", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String(strings.Repeat("a", 129)), CredentialsArn: &role, PayloadFormatVersion: aws.String("1.0")}},
		{"SQS-SendMessage needs MessageBody", "MessageBody", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String("SQS-SendMessage"), CredentialsArn: &role, PayloadFormatVersion: aws.String("1.0"),
			RequestParameters: map[string]string{"QueueUrl": "$request.header.queueUrl"}}},
		{"SQS-SendMessage needs QueueUrl", "QueueUrl", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String("SQS-SendMessage"), CredentialsArn: &role, PayloadFormatVersion: aws.String("1.0"),
			RequestParameters: map[string]string{"MessageBody": "$request.body.message"}}},
		{"subtype needs credentialsArn", "credentialsArn", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String("SQS-PurgeQueue"), PayloadFormatVersion: aws.String("1.0"),
			RequestParameters: map[string]string{"QueueUrl": "q"}}},
		{"subtype only payload 1.0", "payloadFormatVersion", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String("SQS-PurgeQueue"), CredentialsArn: &role, PayloadFormatVersion: aws.String("2.0"),
			RequestParameters: map[string]string{"QueueUrl": "q"}}},
		{"Lambda needs integrationUri", "integrationUri", &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
			PayloadFormatVersion: aws.String("2.0")}},
		{"requestParameters action", "requestParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"replace:header.x": "v"}
		})},
		{"requestParameters location", "requestParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"append:cookie.x": "v"}
		})},
		{"requestParameters path is overwrite only", "requestParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"append:path": "v"}
		})},
		{"requestParameters reserved header", "requestParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"overwrite:header.Authorization": "v"}
		})},
		{"requestParameters reserved x-amz- prefix", "requestParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"append:header.x-amz-date": "v"}
		})},
		{"responseParameters status below 200", "responseParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"199": {"overwrite:statuscode": "200"}}
		})},
		{"responseParameters status above 599", "responseParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"600": {"overwrite:statuscode": "200"}}
		})},
		{"responseParameters no querystring", "responseParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"200": {"append:querystring.x": "v"}}
		})},
		{"responseParameters statuscode overwrite only", "responseParameters", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"200": {"append:statuscode": "204"}}
		})},
		{"requestTemplates only for WebSocket", "requestTemplates", httpProxy(func(in *v2.CreateIntegrationInput) {
			in.RequestTemplates = map[string]string{"application/json": "{}"}
		})},
		{"description at most 1024", "description", httpProxy(func(in *v2.CreateIntegrationInput) { in.Description = aws.String(strings.Repeat("d", 1025)) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateIntegration(ctx, tc.in)
			wantAPIError(t, err, "BadRequestException", tc.field)
		})
	}
	// The accepted edges.
	for _, in := range []*v2.CreateIntegrationInput{
		httpProxy(func(in *v2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(50) }),
		httpProxy(func(in *v2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(30000) }),
		httpProxy(func(in *v2.CreateIntegrationInput) { in.IntegrationMethod = aws.String("ANY") }),
		httpProxy(func(in *v2.CreateIntegrationInput) {
			in.ConnectionType, in.ConnectionId = types.ConnectionTypeVpcLink, link.VpcLinkId
			in.IntegrationUri = aws.String("arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc123?stage=prod&deployment=green_deployment")
		}),
		{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: &lambdaARN, PayloadFormatVersion: aws.String("1.0")},
	} {
		if _, err := c.CreateIntegration(ctx, in); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
}

// TestRouteValidation: route keys (integrations-v2.md §7.2) and route
// arguments.
func TestRouteValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	id := httpAPI(t, c)
	for _, key := range []string{"$default", "GET /pets", "ANY /{proxy+}", "POST /pets/{id}/toys", "DELETE /"} {
		if _, err := c.CreateRoute(ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(key)}); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
	for _, tc := range []struct{ name, key, target, authType, field string }{
		{"method must be known", "FETCH /x", "", "", "route key"},
		{"path starts with /", "GET x", "", "", "route key"},
		{"greedy only last", "GET /{a+}/b", "", "", "route key"},
		{"target form", "GET /t", "lambda/x", "", "target"},
		{"target integration exists", "GET /t", "integrations/nope", "", "integration"},
		{"JWT needs authorizerId", "GET /t", "", "JWT", "authorizerId"},
		{"authorizationType enum", "GET /t", "", "COGNITO", "authorizationType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &v2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(tc.key), AuthorizationType: types.AuthorizationType(tc.authType)}
			if tc.target != "" {
				in.Target = aws.String(tc.target)
			}
			_, err := c.CreateRoute(ctx, in)
			wantAPIError(t, err, "BadRequestException", tc.field)
		})
	}
	_, err := c.CreateApi(ctx, &v2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket})
	wantAPIError(t, err, "BadRequestException", "routeSelectionExpression")
	ws, err := c.CreateApi(ctx, &v2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &v2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("$connect")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRoute(ctx, &v2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("$custom")})
	wantAPIError(t, err, "BadRequestException", "routeKey")
}

// TestNotFound: unknown ids are 404 NotFoundException with resourceType.
func TestNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	_, err := c.GetApi(ctx, &v2.GetApiInput{ApiId: aws.String("nope")})
	wantAPIError(t, err, "NotFoundException", "Invalid API identifier")
	id := httpAPI(t, c)
	_, err = c.GetRoute(ctx, &v2.GetRouteInput{ApiId: &id, RouteId: aws.String("nope")})
	wantAPIError(t, err, "NotFoundException", "Route")
	_, err = c.GetIntegration(ctx, &v2.GetIntegrationInput{ApiId: &id, IntegrationId: aws.String("nope")})
	wantAPIError(t, err, "NotFoundException", "Integration")
	_, err = c.GetStage(ctx, &v2.GetStageInput{ApiId: &id, StageName: aws.String("nope")})
	wantAPIError(t, err, "NotFoundException", "Stage")
}

// TestPaging: maxResults and nextToken walk every item once.
func TestPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	for range 5 {
		httpAPI(t, c)
	}
	seen := map[string]bool{}
	var tok *string
	for {
		out, err := c.GetApis(ctx, &v2.GetApisInput{MaxResults: aws.String("2"), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Items {
			seen[*a.ApiId] = true
		}
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	if len(seen) != 5 {
		t.Fatalf("saw %d apis, want 5", len(seen))
	}
}

// TestDeletesAndUpdates: DeleteCorsConfiguration, DeleteRouteSettings,
// DeleteAccessLogSettings, UpdateApi of a quick-created API's target and
// route key, UpdateStage variable merge (control-plane.md §6).
func TestDeletesAndUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := client(t)
	api, err := c.CreateApi(ctx, &v2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("https://example.com"), CorsConfiguration: &types.Cors{AllowOrigins: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteCorsConfiguration(ctx, &v2.DeleteCorsConfigurationInput{ApiId: api.ApiId}); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetApi(ctx, &v2.GetApiInput{ApiId: api.ApiId})
	if got.CorsConfiguration != nil {
		t.Fatalf("cors after delete = %+v", got.CorsConfiguration)
	}
	if _, err := c.UpdateApi(ctx, &v2.UpdateApiInput{ApiId: api.ApiId, Target: aws.String("https://other.example.com"),
		RouteKey: aws.String("GET /x")}); err != nil {
		t.Fatal(err)
	}
	its, _ := c.GetIntegrations(ctx, &v2.GetIntegrationsInput{ApiId: api.ApiId})
	routes, _ := c.GetRoutes(ctx, &v2.GetRoutesInput{ApiId: api.ApiId})
	if *its.Items[0].IntegrationUri != "https://other.example.com" || *routes.Items[0].RouteKey != "GET /x" {
		t.Fatalf("quick update: %s %s", *its.Items[0].IntegrationUri, *routes.Items[0].RouteKey)
	}
	if _, err := c.CreateStage(ctx, &v2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"),
		StageVariables:    map[string]string{"a": "1", "b": "2"},
		RouteSettings:     map[string]types.RouteSettings{"GET /x": {ThrottlingRateLimit: aws.Float64(1)}},
		AccessLogSettings: &types.AccessLogSettings{DestinationArn: aws.String("arn:aws:logs:us-east-1:1:log-group:g"), Format: aws.String("$context.requestId")}}); err != nil {
		t.Fatal(err)
	}
	st, err := c.UpdateStage(ctx, &v2.UpdateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"), StageVariables: map[string]string{"a": "", "c": "3"}})
	if err != nil || st.StageVariables["a"] != "" || st.StageVariables["b"] != "2" || st.StageVariables["c"] != "3" {
		t.Fatalf("UpdateStage variables = %v, %v", st.StageVariables, err)
	}
	if _, err := c.DeleteRouteSettings(ctx, &v2.DeleteRouteSettingsInput{ApiId: api.ApiId, StageName: aws.String("dev"), RouteKey: aws.String("GET /x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRouteSettings(ctx, &v2.DeleteRouteSettingsInput{ApiId: api.ApiId, StageName: aws.String("dev"), RouteKey: aws.String("GET /x")})
	wantAPIError(t, err, "NotFoundException", "route key")
	if _, err := c.DeleteAccessLogSettings(ctx, &v2.DeleteAccessLogSettingsInput{ApiId: api.ApiId, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	st2, _ := c.GetStage(ctx, &v2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("dev")})
	if st2.AccessLogSettings != nil || len(st2.RouteSettings) != 0 {
		t.Fatalf("stage after deletes = %+v", st2)
	}
	_, err = c.DeleteStage(ctx, &v2.DeleteStageInput{ApiId: api.ApiId, StageName: aws.String("$default")})
	wantAPIError(t, err, "ConflictException", "managed")
	if _, err := c.DeleteStage(ctx, &v2.DeleteStageInput{ApiId: api.ApiId, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
}
