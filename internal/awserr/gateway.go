package awserr

// ResponseType names a REST gateway response (errors-and-gateway-responses.md §3).
type ResponseType string

// The gateway response types API Gateway defines.
const (
	AccessDenied                 ResponseType = "ACCESS_DENIED"
	APIConfigurationError        ResponseType = "API_CONFIGURATION_ERROR"
	AuthorizerConfigurationError ResponseType = "AUTHORIZER_CONFIGURATION_ERROR"
	AuthorizerFailure            ResponseType = "AUTHORIZER_FAILURE"
	BadRequestParameters         ResponseType = "BAD_REQUEST_PARAMETERS"
	BadRequestBody               ResponseType = "BAD_REQUEST_BODY"
	Default4XX                   ResponseType = "DEFAULT_4XX"
	Default5XX                   ResponseType = "DEFAULT_5XX"
	ExpiredToken                 ResponseType = "EXPIRED_TOKEN"
	IntegrationFailure           ResponseType = "INTEGRATION_FAILURE"
	IntegrationTimeout           ResponseType = "INTEGRATION_TIMEOUT"
	InvalidAPIKey                ResponseType = "INVALID_API_KEY"
	InvalidSignature             ResponseType = "INVALID_SIGNATURE"
	MissingAuthenticationToken   ResponseType = "MISSING_AUTHENTICATION_TOKEN"
	QuotaExceeded                ResponseType = "QUOTA_EXCEEDED"
	RequestTooLarge              ResponseType = "REQUEST_TOO_LARGE"
	ResourceNotFound             ResponseType = "RESOURCE_NOT_FOUND"
	Throttled                    ResponseType = "THROTTLED"
	Unauthorized                 ResponseType = "UNAUTHORIZED"
	UnsupportedMediaType         ResponseType = "UNSUPPORTED_MEDIA_TYPE"
	WAFFiltered                  ResponseType = "WAF_FILTERED"
)

// Default is the built-in behaviour of one gateway response type.
type Default struct {
	Status    int
	Message   string // "" renders as null
	ErrorType string // x-amzn-ErrorType
}

// Defaults is the table of errors-and-gateway-responses.md §3. DEFAULT_4XX
// and DEFAULT_5XX have no status of their own.
var defaults = map[ResponseType]Default{
	AccessDenied:                 {403, "User is not authorized to access this resource with an explicit deny", "AccessDeniedException"},
	APIConfigurationError:        {500, "Internal server error", "InternalServerErrorException"},
	AuthorizerConfigurationError: {500, "", "AuthorizerConfigurationException"},
	AuthorizerFailure:            {500, "", "AuthorizerFailureException"},
	BadRequestParameters:         {400, "", "BadRequestException"},
	BadRequestBody:               {400, "Invalid request body", "BadRequestException"},
	Default4XX:                   {0, "", ""},
	Default5XX:                   {0, "", ""},
	ExpiredToken:                 {403, "The security token included in the request is expired", "ExpiredTokenException"},
	IntegrationFailure:           {504, "Internal server error", "InternalServerErrorException"},
	IntegrationTimeout:           {504, "Endpoint request timed out", "InternalServerErrorException"},
	InvalidAPIKey:                {403, "Forbidden", "ForbiddenException"},
	InvalidSignature:             {403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", "InvalidSignatureException"},
	MissingAuthenticationToken:   {403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
	QuotaExceeded:                {429, "Limit Exceeded", "LimitExceededException"},
	RequestTooLarge:              {413, "Request Too Long", "RequestTooLargeException"},
	ResourceNotFound:             {404, "Not Found", "ResourceNotFoundException"},
	Throttled:                    {429, "Too Many Requests", "TooManyRequestsException"},
	Unauthorized:                 {401, "Unauthorized", "UnauthorizedException"},
	UnsupportedMediaType:         {415, "Unsupported Media Type", "BadRequestException"},
	WAFFiltered:                  {403, "Forbidden", "WafFilteredException"},
}

// ResponseTypes lists every type in the order GetGatewayResponses returns them.
func ResponseTypes() []ResponseType {
	return []ResponseType{AccessDenied, APIConfigurationError, AuthorizerConfigurationError, AuthorizerFailure,
		BadRequestBody, BadRequestParameters, Default4XX, Default5XX, ExpiredToken, IntegrationFailure,
		IntegrationTimeout, InvalidAPIKey, InvalidSignature, MissingAuthenticationToken, QuotaExceeded,
		RequestTooLarge, ResourceNotFound, Throttled, Unauthorized, UnsupportedMediaType, WAFFiltered}
}

// DefaultOf returns the built-in behaviour of t and whether t is a known type.
func DefaultOf(t ResponseType) (Default, bool) {
	d, ok := defaults[t]
	return d, ok
}

// GatewayError ends a data-plane request with a gateway response. Stages
// return it; the server renders it with the API's customisations.
type GatewayError struct {
	Type ResponseType
	// Message overrides the type's default message ($context.error.message).
	Message string
	// Status overrides the type's default status (e.g. INTEGRATION_FAILURE
	// answered as 502 for a malformed Lambda proxy response).
	Status int
	// Cause is logged, never sent to the client.
	Cause error
}

func (e *GatewayError) Error() string {
	s := string(e.Type)
	if m := e.message(); m != "" {
		s += ": " + m
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *GatewayError) Unwrap() error { return e.Cause }

func (e *GatewayError) message() string {
	if e.Message != "" {
		return e.Message
	}
	return defaults[e.Type].Message
}

// MessageText is $context.error.message.
func (e *GatewayError) MessageText() string { return e.message() }

// StatusCode is the status the response takes before customisation.
func (e *GatewayError) StatusCode() int {
	if e.Status != 0 {
		return e.Status
	}
	return defaults[e.Type].Status
}

// Gateway returns a GatewayError of type t.
func Gateway(t ResponseType, cause error) *GatewayError {
	return &GatewayError{Type: t, Cause: cause}
}
