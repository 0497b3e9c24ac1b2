package model

import "time"

// v2 (HTTP and WebSocket API) model types, with the lowerCamelCase JSON
// member names of the apigatewayv2 wire (control-plane.md §6,
// integrations-v2.md §1). Timestamps are ISO-8601 on this wire.

// Protocol types of a v2 API (control-plane.md §6.1).
const (
	ProtocolHTTP      = "HTTP"
	ProtocolWebSocket = "WEBSOCKET"
)

// HTTPRouteSelectionExpression is the fixed routeSelectionExpression of
// HTTP APIs (control-plane.md §6.1).
const HTTPRouteSelectionExpression = "${request.method} ${request.path}"

// V2Api is an HTTP or WebSocket API (control-plane.md §6 Api).
type V2Api struct {
	APIEndpoint               string            `json:"apiEndpoint,omitempty"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	APIID                     string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *V2Cors           `json:"corsConfiguration,omitempty"`
	CreatedDate               time.Time         `json:"createdDate"`
	Description               string            `json:"description,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Warnings                  []string          `json:"warnings,omitempty"`
}

// V2Cors is an HTTP API's corsConfiguration (control-plane.md §6.1,
// integrations-v2.md CORS).
type V2Cors struct {
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// V2Route binds a route key to a target (control-plane.md §6.1 CreateRoute).
type V2Route struct {
	APIGatewayManaged                bool                              `json:"apiGatewayManaged,omitempty"`
	APIKeyRequired                   bool                              `json:"apiKeyRequired"`
	AuthorizationScopes              []string                          `json:"authorizationScopes,omitempty"`
	AuthorizationType                string                            `json:"authorizationType"`
	AuthorizerID                     string                            `json:"authorizerId,omitempty"`
	ModelSelectionExpression         string                            `json:"modelSelectionExpression,omitempty"`
	OperationName                    string                            `json:"operationName,omitempty"`
	RequestModels                    map[string]string                 `json:"requestModels,omitempty"`
	RequestParameters                map[string]*V2ParameterConstraint `json:"requestParameters,omitempty"`
	RouteID                          string                            `json:"routeId"`
	RouteKey                         string                            `json:"routeKey"`
	RouteResponseSelectionExpression string                            `json:"routeResponseSelectionExpression,omitempty"`
	Target                           string                            `json:"target,omitempty"`
}

// V2ParameterConstraint is a WebSocket route request parameter
// declaration (integrations-v2.md §9.5).
type V2ParameterConstraint struct {
	Required bool `json:"required"`
}

// V2Integration is a v2 integration; every field of integrations-v2.md §1.
type V2Integration struct {
	APIGatewayManaged                      bool                         `json:"apiGatewayManaged,omitempty"`
	ConnectionID                           string                       `json:"connectionId,omitempty"`
	ConnectionType                         string                       `json:"connectionType,omitempty"`
	ContentHandlingStrategy                string                       `json:"contentHandlingStrategy,omitempty"`
	CredentialsArn                         string                       `json:"credentialsArn,omitempty"`
	Description                            string                       `json:"description,omitempty"`
	IntegrationID                          string                       `json:"integrationId"`
	IntegrationMethod                      string                       `json:"integrationMethod,omitempty"`
	IntegrationResponseSelectionExpression string                       `json:"integrationResponseSelectionExpression,omitempty"`
	IntegrationSubtype                     string                       `json:"integrationSubtype,omitempty"`
	IntegrationType                        string                       `json:"integrationType"`
	IntegrationURI                         string                       `json:"integrationUri,omitempty"`
	PassthroughBehavior                    string                       `json:"passthroughBehavior,omitempty"`
	PayloadFormatVersion                   string                       `json:"payloadFormatVersion,omitempty"`
	RequestParameters                      map[string]string            `json:"requestParameters,omitempty"`
	RequestTemplates                       map[string]string            `json:"requestTemplates,omitempty"`
	ResponseParameters                     map[string]map[string]string `json:"responseParameters,omitempty"`
	TemplateSelectionExpression            string                       `json:"templateSelectionExpression,omitempty"`
	TimeoutInMillis                        int                          `json:"timeoutInMillis"`
	TLSConfig                              *V2TLSConfig                 `json:"tlsConfig,omitempty"`
}

// V2TLSConfig is a private integration's TLS setting (integrations-v2.md
// §1): its presence means HTTPS to the target; the name is used for SNI
// and certificate host name verification.
type V2TLSConfig struct {
	ServerNameToVerify string `json:"serverNameToVerify,omitempty"`
}

// V2Stage is a v2 stage (control-plane.md §6.1 CreateStage).
type V2Stage struct {
	AccessLogSettings           *V2AccessLogSettings        `json:"accessLogSettings,omitempty"`
	APIGatewayManaged           bool                        `json:"apiGatewayManaged,omitempty"`
	AutoDeploy                  bool                        `json:"autoDeploy"`
	ClientCertificateID         string                      `json:"clientCertificateId,omitempty"`
	CreatedDate                 time.Time                   `json:"createdDate"`
	DefaultRouteSettings        *V2RouteSettings            `json:"defaultRouteSettings,omitempty"`
	DeploymentID                string                      `json:"deploymentId,omitempty"`
	Description                 string                      `json:"description,omitempty"`
	LastDeploymentStatusMessage string                      `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             time.Time                   `json:"lastUpdatedDate"`
	RouteSettings               map[string]*V2RouteSettings `json:"routeSettings,omitempty"`
	StageName                   string                      `json:"stageName"`
	StageVariables              map[string]string           `json:"stageVariables,omitempty"`
	Tags                        map[string]string           `json:"tags,omitempty"`
}

// V2AccessLogSettings is a stage's access log destination and format.
type V2AccessLogSettings struct {
	DestinationArn string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// V2RouteSettings are a stage's (default or per route) settings; Portico
// stores the throttling values.
type V2RouteSettings struct {
	DataTraceEnabled       *bool    `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled *bool    `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           string   `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// V2Deployment is a v2 deployment (control-plane.md §6.1 CreateDeployment).
type V2Deployment struct {
	AutoDeployed            bool      `json:"autoDeployed"`
	CreatedDate             time.Time `json:"createdDate"`
	DeploymentID            string    `json:"deploymentId"`
	DeploymentStatus        string    `json:"deploymentStatus"`
	DeploymentStatusMessage string    `json:"deploymentStatusMessage,omitempty"`
	Description             string    `json:"description,omitempty"`
}

// V2Authorizer is a v2 authorizer: JWT (HTTP APIs) or REQUEST (Lambda).
type V2Authorizer struct {
	AuthorizerCredentialsArn       string              `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerID                   string              `json:"authorizerId"`
	AuthorizerPayloadFormatVersion string              `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int                `json:"authorizerResultTtlInSeconds,omitempty"`
	AuthorizerType                 string              `json:"authorizerType"`
	AuthorizerURI                  string              `json:"authorizerUri,omitempty"`
	EnableSimpleResponses          bool                `json:"enableSimpleResponses,omitempty"`
	IdentitySource                 []string            `json:"identitySource,omitempty"`
	IdentityValidationExpression   string              `json:"identityValidationExpression,omitempty"`
	JWTConfiguration               *V2JWTConfiguration `json:"jwtConfiguration,omitempty"`
	Name                           string              `json:"name"`
}

// V2JWTConfiguration is a JWT authorizer's issuer and audiences.
type V2JWTConfiguration struct {
	Audience []string `json:"audience,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
}

// V2VpcLink is a v2 VPC link (control-plane.md §6.1 CreateVpcLink).
// Portico resolves the targets of private integrations through it (see
// internal/httpapi, VPC links).
type V2VpcLink struct {
	CreatedDate          time.Time         `json:"createdDate"`
	Name                 string            `json:"name"`
	SecurityGroupIDs     []string          `json:"securityGroupIds"`
	SubnetIDs            []string          `json:"subnetIds"`
	Tags                 map[string]string `json:"tags,omitempty"`
	VpcLinkID            string            `json:"vpcLinkId"`
	VpcLinkStatus        string            `json:"vpcLinkStatus"`
	VpcLinkStatusMessage string            `json:"vpcLinkStatusMessage,omitempty"`
	VpcLinkVersion       string            `json:"vpcLinkVersion"`
}

// V2Snapshot is what a v2 deployment freezes: the API (with its CORS
// configuration), its routes, integrations and authorizers.
type V2Snapshot struct {
	API          V2Api            `json:"api"`
	Routes       []*V2Route       `json:"routes"`
	Integrations []*V2Integration `json:"integrations"`
	Authorizers  []*V2Authorizer  `json:"authorizers"`
}
