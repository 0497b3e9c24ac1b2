// Package model holds the plain types of Portico's API model — REST APIs,
// resources, methods, integrations, deployments and stages — with the JSON
// member names of the management API wire (control-plane.md §1), and their
// validation (integrations-v1.md §16). It does no I/O.
package model

// RestApi is a REST (v1) API (control-plane.md §5 RestApi).
type RestApi struct {
	ID                        string                 `json:"id"`
	Name                      string                 `json:"name"`
	Description               string                 `json:"description,omitempty"`
	CreatedDate               int64                  `json:"createdDate"`
	Version                   string                 `json:"version,omitempty"`
	Warnings                  []string               `json:"warnings,omitempty"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int64                 `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                 `json:"policy,omitempty"`
	Tags                      map[string]string      `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                 `json:"rootResourceId"`
	SecurityPolicy            string                 `json:"securityPolicy,omitempty"`
	EndpointAccessMode        string                 `json:"endpointAccessMode,omitempty"`
}

// EndpointConfiguration is a RestApi's endpoint types.
type EndpointConfiguration struct {
	Types          []string `json:"types,omitempty"`
	VpcEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
}

// Resource is one node of a REST API's path tree, with its methods.
type Resource struct {
	ID              string             `json:"id"`
	ParentID        string             `json:"parentId,omitempty"`
	PathPart        string             `json:"pathPart,omitempty"`
	Path            string             `json:"path"`
	ResourceMethods map[string]*Method `json:"resourceMethods,omitempty"`
}

// Method is an HTTP verb on a resource: the method request, its method
// responses and its integration (integrations-v1.md glossary).
type Method struct {
	HTTPMethod          string                     `json:"httpMethod"`
	AuthorizationType   string                     `json:"authorizationType"`
	AuthorizerID        string                     `json:"authorizerId,omitempty"`
	APIKeyRequired      bool                       `json:"apiKeyRequired"`
	RequestValidatorID  string                     `json:"requestValidatorId,omitempty"`
	OperationName       string                     `json:"operationName,omitempty"`
	RequestParameters   map[string]bool            `json:"requestParameters,omitempty"`
	RequestModels       map[string]string          `json:"requestModels,omitempty"`
	AuthorizationScopes []string                   `json:"authorizationScopes,omitempty"`
	MethodResponses     map[string]*MethodResponse `json:"methodResponses,omitempty"`
	MethodIntegration   *Integration               `json:"methodIntegration,omitempty"`
}

// MethodResponse is the client-facing response contract for one status
// code (integrations-v1.md §13.1).
type MethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// Integration is a method's backend binding (integrations-v1.md §2).
type Integration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           string                          `json:"httpMethod,omitempty"`
	URI                  string                          `json:"uri,omitempty"`
	ConnectionType       string                          `json:"connectionType,omitempty"`
	ConnectionID         string                          `json:"connectionId,omitempty"`
	Credentials          string                          `json:"credentials,omitempty"`
	RequestParameters    map[string]string               `json:"requestParameters,omitempty"`
	RequestTemplates     *OrderedMap                     `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                          `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                          `json:"contentHandling,omitempty"`
	TimeoutInMillis      int                             `json:"timeoutInMillis"`
	CacheNamespace       string                          `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters"`
	IntegrationResponses map[string]*IntegrationResponse `json:"integrationResponses,omitempty"`
	TLSConfig            *TLSConfig                      `json:"tlsConfig,omitempty"`
	ResponseTransferMode string                          `json:"responseTransferMode,omitempty"`
	IntegrationTarget    string                          `json:"integrationTarget,omitempty"`
}

// TLSConfig is an HTTP integration's TLS settings (integrations-v1.md §4.2).
type TLSConfig struct {
	InsecureSkipVerification bool `json:"insecureSkipVerification"`
}

// IntegrationResponse maps a backend result to a method response
// (integrations-v1.md §13.2).
type IntegrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   *string           `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  *OrderedMap       `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// Deployment is an immutable snapshot of an API (control-plane.md §5).
type Deployment struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	CreatedDate int64  `json:"createdDate"`
	// APISummary is returned by AWS on request only; omitted.
}

// Stage is a named pointer to a deployment with variables and settings.
type Stage struct {
	StageName           string                    `json:"stageName"`
	DeploymentID        string                    `json:"deploymentId"`
	Description         string                    `json:"description,omitempty"`
	CacheClusterEnabled bool                      `json:"cacheClusterEnabled"`
	CacheClusterSize    string                    `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus  string                    `json:"cacheClusterStatus,omitempty"`
	MethodSettings      map[string]*MethodSetting `json:"methodSettings"`
	Variables           map[string]string         `json:"variables,omitempty"`
	DocumentationVer    string                    `json:"documentationVersion,omitempty"`
	TracingEnabled      bool                      `json:"tracingEnabled"`
	CanarySettings      map[string]any            `json:"canarySettings,omitempty"`
	Tags                map[string]string         `json:"tags,omitempty"`
	CreatedDate         int64                     `json:"createdDate"`
	LastUpdatedDate     int64                     `json:"lastUpdatedDate"`
	ClientCertificateID string                    `json:"clientCertificateId,omitempty"`
	WebACLArn           string                    `json:"webAclArn,omitempty"`
	AccessLogSettings   map[string]string         `json:"accessLogSettings,omitempty"`
}

// MethodSetting is a stage's per-method settings (caching, throttling).
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

// GatewayResponse is a REST API's customisation of one gateway response
// type (errors-and-gateway-responses.md §2).
type GatewayResponse struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  *OrderedMap       `json:"responseTemplates,omitempty"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

// Snapshot is what CreateDeployment freezes: the API and its resource
// tree (with methods, integrations and responses) and its gateway
// responses, as they were at that moment (control-plane.md §5 Deployment).
type Snapshot struct {
	API              RestApi                     `json:"api"`
	Resources        []*Resource                 `json:"resources"`
	GatewayResponses map[string]*GatewayResponse `json:"gatewayResponses,omitempty"`
}

// VpcLink is a REST (v1) VPC link (control-plane.md §5 VpcLink).
type VpcLink struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Description   string            `json:"description,omitempty"`
	TargetArns    []string          `json:"targetArns"`
	Status        string            `json:"status"`
	StatusMessage string            `json:"statusMessage,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}
