package model

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/router"
)

// Defaults and limits of v2 integrations (integrations-v2.md §1).
const (
	V2DefaultTimeoutHTTP = 30000
	V2MaxTimeoutHTTP     = 30000
	V2DefaultTimeoutWS   = 29000
	V2MaxTimeoutWS       = 29000
)

// V2SubtypeParameters lists, per integrationSubtype, the required and the
// optional request parameters (integrations-v2.md §3).
var V2SubtypeParameters = map[string][2][]string{
	"EventBridge-PutEvents":            {{"Detail", "DetailType", "Source"}, {"Time", "EventBusName", "Resources", "Region", "TraceHeader"}},
	"SQS-SendMessage":                  {{"QueueUrl", "MessageBody"}, {"DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageSystemAttributes", "Region"}},
	"SQS-ReceiveMessage":               {{"QueueUrl"}, {"AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames", "ReceiveRequestAttemptId", "VisibilityTimeout", "WaitTimeSeconds", "Region"}},
	"SQS-DeleteMessage":                {{"ReceiptHandle", "QueueUrl"}, {"Region"}},
	"SQS-PurgeQueue":                   {{"QueueUrl"}, {"Region"}},
	"AppConfig-GetConfiguration":       {{"Application", "Environment", "Configuration", "ClientId"}, {"ClientConfigurationVersion", "Region"}},
	"Kinesis-PutRecord":                {{"StreamName", "Data", "PartitionKey"}, {"SequenceNumberForOrdering", "ExplicitHashKey", "Region"}},
	"StepFunctions-StartExecution":     {{"StateMachineArn"}, {"Name", "Input", "Region"}},
	"StepFunctions-StartSyncExecution": {{"StateMachineArn"}, {"Name", "Input", "Region", "TraceHeader"}},
	"StepFunctions-StopExecution":      {{"ExecutionArn"}, {"Cause", "Error", "Region"}},
}

var (
	v2IntegrationTypes = []string{TypeAWS, TypeAWSProxy, TypeHTTP, TypeHTTPProxy, TypeMock}
	// Private integration targets (integrations-v2.md §2.3).
	listenerARN   = regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener/(app|net)/[^/]+/[^/]+/[^/]+$`)
	cloudMapARN   = regexp.MustCompile(`^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]+:\d{12}:service/srv-[A-Za-z0-9]+(\?.*)?$`)
	lambdaFuncARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_${}.-]+(:[A-Za-z0-9_${}.-]+)?$`)
	lambdaInvoke  = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$`)
	v2StageName   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	headerName    = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+$`)
)

func bad(format string, args ...any) *awserr.Error { return awserr.BadRequest(format, args...) }

func lengthIn(field, v string, lo, hi int) error {
	if n := len(v); n < lo || n > hi {
		return bad("%s must be between %d and %d characters in length", field, lo, hi)
	}
	return nil
}

// IsListenerARN reports whether uri is an ALB/NLB listener ARN.
func IsListenerARN(uri string) bool { return listenerARN.MatchString(uri) }

// IsCloudMapARN reports whether uri is a Cloud Map service ARN, with an
// optional query string of attribute filters.
func IsCloudMapARN(uri string) bool { return cloudMapARN.MatchString(uri) }

// LambdaFunctionARN returns the function ARN of a Lambda integration URI:
// the ARN itself or the one inside an invocation URI (integrations-v2.md
// §2.1).
func LambdaFunctionARN(uri string) (string, bool) {
	if m := lambdaInvoke.FindStringSubmatch(uri); m != nil {
		uri = m[1]
	}
	if lambdaFuncARN.MatchString(uri) {
		return uri, true
	}
	return "", false
}

// ValidateV2Api checks an API's arguments after defaults are applied
// (control-plane.md §6.1).
func ValidateV2Api(a *V2Api) error {
	if err := lengthIn("name", a.Name, 1, 128); err != nil {
		return err
	}
	switch a.ProtocolType {
	case ProtocolHTTP:
		if a.RouteSelectionExpression != HTTPRouteSelectionExpression {
			return bad("routeSelectionExpression for HTTP APIs must be %s", HTTPRouteSelectionExpression)
		}
	case ProtocolWebSocket:
		if a.RouteSelectionExpression == "" {
			return bad("routeSelectionExpression is required for WEBSOCKET APIs")
		}
		if a.CorsConfiguration != nil {
			return bad("corsConfiguration is supported only for HTTP APIs")
		}
	default:
		return bad("protocolType must be HTTP or WEBSOCKET")
	}
	if err := lengthIn("description", a.Description, 0, 1024); err != nil {
		return err
	}
	if c := a.CorsConfiguration; c != nil {
		if err := validateCors(c); err != nil {
			return err
		}
	}
	return nil
}

func validateCors(c *V2Cors) error {
	for _, o := range c.AllowOrigins {
		if o == "*" {
			if c.AllowCredentials != nil && *c.AllowCredentials {
				return bad("corsConfiguration.allowOrigins cannot be * when allowCredentials is true")
			}
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return bad("corsConfiguration.allowOrigins: invalid origin %s", o)
		}
	}
	for _, m := range c.AllowMethods {
		if m != "*" && !IsHTTPMethod(strings.ToUpper(m)) {
			return bad("corsConfiguration.allowMethods: invalid method %s", m)
		}
	}
	for _, hs := range [][]string{c.AllowHeaders, c.ExposeHeaders} {
		for _, h := range hs {
			if h != "*" && !headerName.MatchString(h) {
				return bad("corsConfiguration: invalid header name %s", h)
			}
		}
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
		return bad("corsConfiguration.maxAge must be between -1 and 86400")
	}
	return nil
}

// ValidateV2RouteKey checks a route key for the API's protocol
// (integrations-v2.md §7.2, §9.2).
func ValidateV2RouteKey(protocol, key string) error {
	if protocol == ProtocolWebSocket {
		switch {
		case key == "$connect" || key == "$disconnect" || key == "$default":
		case key == "" || strings.HasPrefix(key, "$"):
			return bad("routeKey %s is invalid: custom route keys must not start with $", key)
		}
		return lengthIn("routeKey", key, 1, 128)
	}
	if key == router.DefaultRoute {
		return nil
	}
	if err := router.NewHTTPBuilder[struct{}]().Add(key, struct{}{}); err != nil {
		return bad("Invalid route key %s: route keys must be $default or \"{METHOD} {path}\" with METHOD one of GET POST PUT PATCH DELETE HEAD OPTIONS ANY and a path starting with /; a greedy variable {name+} only as the last segment", key)
	}
	return nil
}

// ValidateV2Route checks a route's arguments; integration and authorizer
// look up the target's integration and the authorizer by id (nil when
// absent).
func ValidateV2Route(protocol string, r *V2Route, integrationExists func(id string) bool, authorizerType func(id string) (string, bool)) error {
	if err := ValidateV2RouteKey(protocol, r.RouteKey); err != nil {
		return err
	}
	if r.Target != "" {
		id, ok := strings.CutPrefix(r.Target, "integrations/")
		if !ok || id == "" {
			return bad("target must be of the form integrations/{integrationId}")
		}
		if !integrationExists(id) {
			return bad("Invalid integration identifier specified in target: %s", id)
		}
	}
	switch r.AuthorizationType {
	case "NONE", "AWS_IAM":
		if r.AuthorizerID != "" {
			return bad("authorizerId is only valid with authorizationType JWT or CUSTOM")
		}
	case "JWT", "CUSTOM":
		if protocol == ProtocolWebSocket && r.AuthorizationType == "JWT" {
			return bad("authorizationType JWT is supported only for HTTP APIs")
		}
		if r.AuthorizerID == "" {
			return bad("authorizerId is required for authorizationType %s", r.AuthorizationType)
		}
		typ, ok := authorizerType(r.AuthorizerID)
		if !ok {
			return bad("Invalid authorizer identifier specified: %s", r.AuthorizerID)
		}
		if (r.AuthorizationType == "JWT") != (typ == "JWT") {
			return bad("authorizationType %s does not match the authorizer's type %s", r.AuthorizationType, typ)
		}
	default:
		return bad("authorizationType must be one of NONE, AWS_IAM, CUSTOM, JWT")
	}
	if len(r.AuthorizationScopes) > 0 && r.AuthorizationType != "JWT" {
		return bad("authorizationScopes are supported only with authorizationType JWT")
	}
	for _, s := range r.AuthorizationScopes {
		if err := lengthIn("authorizationScopes", s, 1, 255); err != nil {
			return err
		}
	}
	if protocol == ProtocolHTTP && (len(r.RequestParameters) > 0 || len(r.RequestModels) > 0 || r.RouteResponseSelectionExpression != "" || r.ModelSelectionExpression != "") {
		return bad("requestParameters, requestModels, modelSelectionExpression and routeResponseSelectionExpression are supported only for WebSocket APIs")
	}
	return nil
}

// ApplyV2IntegrationDefaults fills in what AWS fills in on create
// (integrations-v2.md §1): connectionType INTERNET, timeoutInMillis
// 30000 (HTTP) or 29000 (WebSocket), payloadFormatVersion 1.0, method
// POST for Lambda.
func ApplyV2IntegrationDefaults(protocol string, it *V2Integration) {
	if it.ConnectionType == "" {
		it.ConnectionType = "INTERNET"
	}
	if it.TimeoutInMillis == 0 {
		it.TimeoutInMillis = V2DefaultTimeoutHTTP
		if protocol == ProtocolWebSocket {
			it.TimeoutInMillis = V2DefaultTimeoutWS
		}
	}
	if protocol == ProtocolHTTP {
		if it.PayloadFormatVersion == "" {
			it.PayloadFormatVersion = "1.0"
		}
		if it.IntegrationType == TypeAWSProxy && it.IntegrationSubtype == "" && it.IntegrationMethod == "" {
			it.IntegrationMethod = "POST"
		}
		// Not returned for HTTP APIs (integrations-v2.md §1).
		it.PassthroughBehavior = ""
		it.ContentHandlingStrategy = ""
	} else {
		if it.PayloadFormatVersion == "" {
			it.PayloadFormatVersion = "1.0"
		}
		if it.PassthroughBehavior == "" && it.IntegrationType != TypeAWSProxy && it.IntegrationType != TypeHTTPProxy {
			it.PassthroughBehavior = "WHEN_NO_MATCH"
		}
		switch it.IntegrationType {
		case TypeAWS:
			it.IntegrationResponseSelectionExpression = "$integration.response.body.errorMessage"
		case TypeHTTP, TypeMock:
			it.IntegrationResponseSelectionExpression = "${integration.response.statuscode}"
		}
	}
}

// ValidateV2Integration checks every argument rule of an integration
// after defaults are applied (integrations-v2.md §1–§3, §5, §6; seeds 002
// and 004). Errors are 400 BadRequestException naming the field.
func ValidateV2Integration(protocol string, it *V2Integration) error {
	if it.IntegrationType == "" {
		return bad("integrationType is required")
	}
	if !contains(v2IntegrationTypes, it.IntegrationType) {
		return bad("integrationType must be one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK")
	}
	http := protocol == ProtocolHTTP
	if http && it.IntegrationType != TypeAWSProxy && it.IntegrationType != TypeHTTPProxy {
		return bad("integrationType %s is supported only for WebSocket APIs", it.IntegrationType)
	}
	if err := lengthIn("description", it.Description, 0, 1024); err != nil {
		return err
	}
	// timeoutInMillis 50..30000 (HTTP) / 50..29000 (WebSocket).
	maxT := V2MaxTimeoutHTTP
	if !http {
		maxT = V2MaxTimeoutWS
	}
	if it.TimeoutInMillis < MinTimeoutMillis || it.TimeoutInMillis > maxT {
		return bad("timeoutInMillis must be between %d and %d", MinTimeoutMillis, maxT)
	}
	// connectionType / connectionId.
	switch it.ConnectionType {
	case "INTERNET":
		if it.ConnectionID != "" {
			return bad("connectionId is supported only when connectionType is VPC_LINK")
		}
	case "VPC_LINK":
		if it.ConnectionID == "" {
			return bad("connectionId is required when connectionType is VPC_LINK")
		}
		if err := lengthIn("connectionId", it.ConnectionID, 1, 1024); err != nil {
			return err
		}
	default:
		return bad("connectionType must be INTERNET or VPC_LINK")
	}
	// payloadFormatVersion 1.0 | 2.0; 2.0 only for Lambda proxy.
	switch it.PayloadFormatVersion {
	case "1.0":
	case "2.0":
		if !http || it.IntegrationType != TypeAWSProxy || it.IntegrationSubtype != "" {
			return bad("payloadFormatVersion 2.0 is supported only for AWS_PROXY Lambda integrations of HTTP APIs")
		}
	default:
		return bad("payloadFormatVersion must be 1.0 or 2.0")
	}
	if it.IntegrationMethod != "" {
		if err := lengthIn("integrationMethod", it.IntegrationMethod, 1, 64); err != nil {
			return err
		}
		if !IsHTTPMethod(it.IntegrationMethod) {
			return bad("integrationMethod %s is invalid. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY", it.IntegrationMethod)
		}
	}
	if it.IntegrationURI != "" {
		if err := lengthIn("integrationUri", it.IntegrationURI, 1, 2048); err != nil {
			return err
		}
	}
	if it.IntegrationSubtype != "" {
		if err := lengthIn("integrationSubtype", it.IntegrationSubtype, 1, 128); err != nil {
			return err
		}
		if !http || it.IntegrationType != TypeAWSProxy {
			return bad("integrationSubtype is supported only for AWS_PROXY integrations of HTTP APIs")
		}
	}
	if it.TLSConfig != nil {
		if !http {
			return bad("tlsConfig is supported only for HTTP APIs")
		}
		if it.ConnectionType != "VPC_LINK" {
			return bad("tlsConfig is supported only for private integrations (connectionType VPC_LINK)")
		}
		if n := it.TLSConfig.ServerNameToVerify; n != "" {
			if err := lengthIn("tlsConfig.serverNameToVerify", n, 1, 512); err != nil {
				return err
			}
		}
	}
	if it.CredentialsArn != "" && !arnPattern.MatchString(it.CredentialsArn) {
		return bad("credentialsArn %s is not a valid ARN", it.CredentialsArn)
	}
	for k, v := range it.RequestParameters {
		if len(v) > 512 {
			return bad("requestParameters value for %s must be at most 512 characters", k)
		}
	}
	if !http {
		if len(it.ResponseParameters) > 0 {
			return bad("responseParameters are supported only for HTTP APIs")
		}
		return validateWSIntegration(it)
	}
	if len(it.RequestTemplates) > 0 || it.TemplateSelectionExpression != "" {
		return bad("requestTemplates and templateSelectionExpression are supported only for WebSocket APIs")
	}
	switch it.IntegrationType {
	case TypeHTTPProxy:
		if it.IntegrationMethod == "" {
			return bad("integrationMethod is required for HTTP_PROXY integrations")
		}
		if it.IntegrationURI == "" {
			return bad("integrationUri is required for HTTP_PROXY integrations")
		}
		if it.ConnectionType == "VPC_LINK" {
			if !IsListenerARN(it.IntegrationURI) && !IsCloudMapARN(it.IntegrationURI) {
				return bad("integrationUri of a private integration must be a load balancer listener ARN or a Cloud Map service ARN")
			}
		} else if u, err := url.Parse(it.IntegrationURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("integrationUri must be an absolute http or https URL for HTTP_PROXY integrations")
		}
	case TypeAWSProxy:
		if it.ConnectionType == "VPC_LINK" {
			return bad("connectionType VPC_LINK is supported only for HTTP_PROXY integrations")
		}
		if it.IntegrationSubtype != "" {
			return validateSubtype(it)
		}
		if it.IntegrationURI == "" {
			return bad("integrationUri is required for AWS_PROXY Lambda integrations")
		}
		if _, ok := LambdaFunctionARN(it.IntegrationURI); !ok {
			return bad("integrationUri must be a Lambda function ARN or invocation URI for AWS_PROXY integrations")
		}
	}
	if len(it.RequestParameters) > 0 {
		if _, err := mapping.CompileV2RequestParameters(it.RequestParameters); err != nil {
			return bad("requestParameters: %s", err.Error())
		}
	}
	if len(it.ResponseParameters) > 0 {
		if _, err := mapping.CompileV2ResponseParameters(it.ResponseParameters); err != nil {
			return bad("responseParameters: %s", err.Error())
		}
	}
	return nil
}

func validateSubtype(it *V2Integration) error {
	ps, ok := V2SubtypeParameters[it.IntegrationSubtype]
	if !ok {
		return bad("integrationSubtype %s is not supported", it.IntegrationSubtype)
	}
	if it.IntegrationURI != "" {
		return bad("integrationUri is not supported for AWS_PROXY integrations with an integrationSubtype")
	}
	if it.CredentialsArn == "" {
		return bad("credentialsArn is required for integrationSubtype %s", it.IntegrationSubtype)
	}
	if it.PayloadFormatVersion != "1.0" {
		return bad("payloadFormatVersion must be 1.0 for integrationSubtype %s", it.IntegrationSubtype)
	}
	if len(it.ResponseParameters) > 0 {
		if _, err := mapping.CompileV2ResponseParameters(it.ResponseParameters); err != nil {
			return bad("responseParameters: %s", err.Error())
		}
	}
	for _, req := range ps[0] {
		if it.RequestParameters[req] == "" {
			return bad("requestParameters: %s is required for integrationSubtype %s", req, it.IntegrationSubtype)
		}
	}
	for k := range it.RequestParameters {
		if !contains(ps[0], k) && !contains(ps[1], k) {
			return bad("requestParameters: %s is not a parameter of integrationSubtype %s", k, it.IntegrationSubtype)
		}
	}
	return nil
}

func validateWSIntegration(it *V2Integration) error {
	if it.IntegrationType != TypeMock && it.IntegrationURI == "" {
		return bad("integrationUri is required for %s integrations", it.IntegrationType)
	}
	if (it.IntegrationType == TypeHTTP || it.IntegrationType == TypeHTTPProxy) && it.IntegrationMethod == "" {
		return bad("integrationMethod is required for %s integrations", it.IntegrationType)
	}
	if it.PassthroughBehavior != "" && !contains(passthroughs, it.PassthroughBehavior) {
		return bad("passthroughBehavior must be one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER")
	}
	if it.ContentHandlingStrategy != "" && !contains(contentHandlings, it.ContentHandlingStrategy) {
		return bad("contentHandlingStrategy must be CONVERT_TO_BINARY or CONVERT_TO_TEXT")
	}
	for ct, tpl := range it.RequestTemplates {
		if len(tpl) > 32768 {
			return bad("requestTemplates[%s] must be at most 32768 characters", ct)
		}
	}
	return nil
}

// ValidateV2PassthroughAndHandling checks the WebSocket-only enums an HTTP
// API integration may carry (accepted and not returned).
func ValidateV2PassthroughAndHandling(passthrough, handling string) error {
	if passthrough != "" && !contains(passthroughs, passthrough) {
		return bad("passthroughBehavior must be one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER")
	}
	if handling != "" && !contains(contentHandlings, handling) {
		return bad("contentHandlingStrategy must be CONVERT_TO_BINARY or CONVERT_TO_TEXT")
	}
	return nil
}

// ValidateV2StageName checks a stage name: $default or [A-Za-z0-9_-]{1,128}.
func ValidateV2StageName(name string) error {
	if name == "$default" || v2StageName.MatchString(name) {
		return nil
	}
	return bad("stageName %s is invalid: must be $default or 1..128 characters of A-Za-z0-9_-", name)
}

// ValidateV2Stage checks a stage's arguments (control-plane.md §6.1).
func ValidateV2Stage(s *V2Stage) error {
	if err := ValidateV2StageName(s.StageName); err != nil {
		return err
	}
	if len(s.StageVariables) > 100 {
		return bad("stageVariables: at most 100 stage variables per stage")
	}
	for k, v := range s.StageVariables {
		if !stageVarNamePattern.MatchString(k) {
			return bad("stageVariables: invalid name %s: must match [A-Za-z0-9_]{1,64}", k)
		}
		if !stageVarValPattern.MatchString(v) {
			return bad("stageVariables: invalid value for %s: must match [A-Za-z0-9-._~:/?#&=,]{1,512}", k)
		}
	}
	check := func(field string, rs *V2RouteSettings) error {
		if rs == nil {
			return nil
		}
		if rs.ThrottlingBurstLimit != nil && *rs.ThrottlingBurstLimit < 0 {
			return bad("%s.throttlingBurstLimit must not be negative", field)
		}
		if rs.ThrottlingRateLimit != nil && *rs.ThrottlingRateLimit < 0 {
			return bad("%s.throttlingRateLimit must not be negative", field)
		}
		switch rs.LoggingLevel {
		case "", "ERROR", "INFO", "OFF":
		default:
			return bad("%s.loggingLevel must be one of ERROR, INFO, OFF", field)
		}
		return nil
	}
	if err := check("defaultRouteSettings", s.DefaultRouteSettings); err != nil {
		return err
	}
	for k, rs := range s.RouteSettings {
		if err := check("routeSettings."+k, rs); err != nil {
			return err
		}
	}
	return lengthIn("description", s.Description, 0, 1024)
}

// ValidateV2Authorizer checks an authorizer's arguments for the API's
// protocol.
func ValidateV2Authorizer(protocol string, a *V2Authorizer) error {
	if err := lengthIn("name", a.Name, 1, 128); err != nil {
		return err
	}
	switch a.AuthorizerType {
	case "JWT":
		if protocol != ProtocolHTTP {
			return bad("authorizerType JWT is supported only for HTTP APIs")
		}
		j := a.JWTConfiguration
		if j == nil || j.Issuer == "" {
			return bad("jwtConfiguration.issuer is required for JWT authorizers")
		}
		if u, err := url.Parse(j.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("jwtConfiguration.issuer must be an absolute URL")
		}
		if len(a.IdentitySource) != 1 {
			return bad("identitySource must contain exactly one entry for JWT authorizers")
		}
		src := a.IdentitySource[0]
		if !strings.HasPrefix(src, "$request.header.") && !strings.HasPrefix(src, "$request.querystring.") {
			return bad("identitySource %s is invalid: must be $request.header.{name} or $request.querystring.{name}", src)
		}
		if a.AuthorizerURI != "" {
			return bad("authorizerUri is not supported for JWT authorizers")
		}
	case "REQUEST":
		if a.AuthorizerURI == "" {
			return bad("authorizerUri is required for REQUEST authorizers")
		}
		if a.JWTConfiguration != nil {
			return bad("jwtConfiguration is supported only for JWT authorizers")
		}
		switch a.AuthorizerPayloadFormatVersion {
		case "1.0", "2.0":
		case "":
			if protocol == ProtocolHTTP {
				return bad("authorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs")
			}
		default:
			return bad("authorizerPayloadFormatVersion must be 1.0 or 2.0")
		}
	default:
		return bad("authorizerType must be JWT or REQUEST")
	}
	if t := a.AuthorizerResultTTLInSeconds; t != nil && (*t < 0 || *t > 3600) {
		return bad("authorizerResultTtlInSeconds must be between 0 and 3600")
	}
	return nil
}

// ParseV2StatusKey parses a responseParameters key (200..599).
func ParseV2StatusKey(k string) (int, bool) {
	n, err := strconv.Atoi(k)
	return n, err == nil && n >= 200 && n <= 599 && strconv.Itoa(n) == k
}
