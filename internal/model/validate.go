package model

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mapping"
)

// Integration types (integrations-v1.md §1).
const (
	TypeHTTP      = "HTTP"
	TypeHTTPProxy = "HTTP_PROXY"
	TypeMock      = "MOCK"
	TypeAWS       = "AWS"
	TypeAWSProxy  = "AWS_PROXY"
)

// Defaults and limits of an Integration (integrations-v1.md §2).
const (
	DefaultTimeoutMillis = 29000
	MinTimeoutMillis     = 50
	MaxTimeoutMillis     = 29000
)

var (
	integrationTypes    = []string{"HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"}
	httpMethods         = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}
	contentHandlings    = []string{"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}
	passthroughs        = []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}
	connectionTypes     = []string{"INTERNET", "VPC_LINK"}
	statusCodePattern   = regexp.MustCompile(`^[1-5]\d\d$`)
	paramNamePattern    = regexp.MustCompile(`^[a-zA-Z0-9._$-]+$`)
	contentTypePattern  = regexp.MustCompile(`^[a-zA-Z0-9!#$&^_.+*-]+/[a-zA-Z0-9!#$&^_.+*-]+$`)
	stageVarRef         = regexp.MustCompile(`\$\{stageVariables\.[A-Za-z0-9_]+\}`)
	arnPattern          = regexp.MustCompile(`^arn:[a-z-]+:[a-zA-Z0-9-]+:[a-z0-9-]*:[^:]*:.+$`)
	stageNamePattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	stageVarNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVarValPattern  = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{1,512}$`)
)

func contains(set []string, v string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// IsHTTPMethod reports whether m is a method verb REST APIs accept.
func IsHTTPMethod(m string) bool { return contains(httpMethods, m) }

// ErrInvalidHTTPMethod is PutMethod's answer to an unknown verb
// (control-plane.md §4).
func ErrInvalidHTTPMethod() *awserr.Error {
	return awserr.BadRequest("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
}

// ValidateStatusCode checks a method/integration response status code
// against [1-5]\d\d (integrations-v1.md §13.1).
func ValidateStatusCode(code, field string) error {
	if !statusCodePattern.MatchString(code) {
		return awserr.Validation(awserr.Pattern(code, field, `[1-5]\d\d`))
	}
	return nil
}

// NormalizeIntegration fills the defaults AWS returns for every
// integration (integrations-v1.md §2, observed canonical Put responses).
func NormalizeIntegration(in *Integration, resourceID string) {
	if in.PassthroughBehavior == "" {
		in.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	if in.TimeoutInMillis == 0 {
		in.TimeoutInMillis = DefaultTimeoutMillis
	}
	if in.CacheNamespace == "" {
		in.CacheNamespace = resourceID
	}
	if in.CacheKeyParameters == nil {
		in.CacheKeyParameters = []string{}
	}
	switch in.Type {
	case TypeHTTP, TypeHTTPProxy:
		if in.ConnectionType == "" {
			in.ConnectionType = "INTERNET"
		}
	case TypeMock:
		// A MOCK uri is accepted but not stored (§2, observed).
		in.URI = ""
	}
}

// ValidateIntegration applies the rules of integrations-v1.md §16 to an
// integration about to be stored. op is the operation's input shape name
// used in ValidationException messages (e.g. "putIntegrationInput"); m is
// the method the integration belongs to (its declared parameters).
func ValidateIntegration(in *Integration, m *Method, op string) error {
	if !contains(integrationTypes, in.Type) {
		return awserr.Validation(awserr.Enum(in.Type, op+".type", integrationTypes...))
	}
	if in.ContentHandling != "" && !contains(contentHandlings, in.ContentHandling) {
		return awserr.Validation(awserr.Enum(in.ContentHandling, op+".contentHandling", contentHandlings...))
	}
	if in.PassthroughBehavior != "" && !contains(passthroughs, in.PassthroughBehavior) {
		return awserr.BadRequest("Invalid passthrough behavior specified: %s. Valid values are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER", in.PassthroughBehavior)
	}
	if in.ConnectionType != "" && !contains(connectionTypes, in.ConnectionType) {
		return awserr.Validation(awserr.Enum(in.ConnectionType, op+".connectionType", connectionTypes...))
	}
	if in.Type != TypeMock {
		if in.HTTPMethod == "" {
			return awserr.BadRequest("Enumeration value for HttpMethod must be non-empty")
		}
	}
	if in.HTTPMethod != "" && !IsHTTPMethod(in.HTTPMethod) {
		return ErrInvalidHTTPMethod()
	}
	switch in.Type {
	case TypeHTTP, TypeHTTPProxy:
		if err := validateHTTPURI(in.URI); err != nil {
			return err
		}
	case TypeAWS, TypeAWSProxy:
		if err := validateAWSURI(in.Type, in.URI); err != nil {
			return err
		}
	}
	if t := in.TimeoutInMillis; t != 0 && (t < MinTimeoutMillis || t > MaxTimeoutMillis) {
		return awserr.BadRequest("Timeout should be between %d ms and %d ms", MinTimeoutMillis, MaxTimeoutMillis)
	}
	if in.ConnectionType == "VPC_LINK" {
		if in.Type != TypeHTTP && in.Type != TypeHTTPProxy {
			return awserr.BadRequest("Connection type VPC_LINK is only supported for HTTP and HTTP_PROXY integrations")
		}
		if in.ConnectionID == "" {
			return awserr.BadRequest("ConnectionId must be set for VPC_LINK connection type")
		}
	} else if in.ConnectionID != "" && in.ConnectionType != "" {
		return awserr.BadRequest("ConnectionId can only be set for VPC_LINK connection type")
	}
	if in.TLSConfig != nil && in.Type != TypeHTTP && in.Type != TypeHTTPProxy {
		return awserr.BadRequest("TlsConfig can only be set for HTTP and HTTP_PROXY integrations")
	}
	if in.ResponseTransferMode != "" && in.ResponseTransferMode != "BUFFERED" {
		if in.ResponseTransferMode != "STREAM" {
			return awserr.Validation(awserr.Enum(in.ResponseTransferMode, op+".responseTransferMode", "BUFFERED", "STREAM"))
		}
		return awserr.BadRequest("Response transfer mode STREAM is not supported")
	}
	if err := mapping.ValidateRequestParameters(in.RequestParameters, declaredParam(m)); err != nil {
		return awserr.BadRequest("%s", err.Error())
	}
	if err := validateTemplateKeys(in.RequestTemplates); err != nil {
		return err
	}
	// cacheKeyParameters are not checked against the method's declared
	// parameters: the seed's MyDemoAPI example (cache key
	// method.request.path.param on a method declaring none) is accepted
	// by AWS, and integrations-v1.md §16 leaves the rule ambiguous.
	return nil
}

// ValidateIntegrationResponse checks an integration response against
// integrations-v1.md §13 and §16.
func ValidateIntegrationResponse(ir *IntegrationResponse, m *Method, op string) error {
	if err := ValidateStatusCode(ir.StatusCode, op+".statusCode"); err != nil {
		return err
	}
	if ir.ContentHandling != "" && !contains(contentHandlings, ir.ContentHandling) {
		return awserr.Validation(awserr.Enum(ir.ContentHandling, op+".contentHandling", contentHandlings...))
	}
	if ir.SelectionPattern != nil && *ir.SelectionPattern != "" {
		if _, err := CompileSelectionPattern(*ir.SelectionPattern); err != nil {
			return awserr.BadRequest("Invalid selection pattern specified: %s", *ir.SelectionPattern)
		}
	}
	// Only headers the method response declares may be mapped (§13.4).
	var declared map[string]bool
	if m != nil && m.MethodResponses[ir.StatusCode] != nil {
		declared = m.MethodResponses[ir.StatusCode].ResponseParameters
	}
	err := mapping.ValidateResponseParameters(ir.ResponseParameters, func(h string) bool {
		_, ok := declared["method.response.header."+h]
		return ok
	})
	if err != nil {
		return awserr.BadRequest("%s", err.Error())
	}
	return validateTemplateKeys(ir.ResponseTemplates)
}

// declaredParam reports whether m declares a method request parameter.
func declaredParam(m *Method) func(string) bool {
	if m == nil {
		return nil
	}
	return func(p string) bool {
		_, ok := m.RequestParameters[p]
		return ok
	}
}

// CompileSelectionPattern compiles a selectionPattern so that it must match
// the whole selection value (integrations-v1.md §13.3, Java
// Pattern.matches semantics).
func CompileSelectionPattern(p string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + p + `)$`)
}

func validateHTTPURI(raw string) error {
	bad := awserr.BadRequest("Invalid HTTP endpoint specified for URI")
	if raw == "" {
		return bad
	}
	// Stage variables may stand for any part of the URL (§3.1): check the
	// shape with each reference replaced by a plausible value.
	probe := stageVarRef.ReplaceAllString(raw, "stagevar")
	u, err := url.Parse(probe)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return bad
	}
	if strings.ContainsAny(probe, " \t\r\n") {
		return bad
	}
	if p := u.Port(); p != "" && !stageVarRef.MatchString(raw) {
		n, err := strconv.Atoi(p)
		if err != nil || !(n == 80 || n == 443 || (n >= 1024 && n <= 65535)) {
			return awserr.BadRequest("Invalid HTTP endpoint specified for URI: port must be 80, 443 or 1024-65535")
		}
	}
	return nil
}

func validateAWSURI(typ, raw string) error {
	if raw == "" || !arnPattern.MatchString(raw) {
		return awserr.BadRequest("Invalid ARN specified in the request")
	}
	parts := strings.SplitN(raw, ":", 6)
	// arn:partition:apigateway:region:service:path|action/...
	if parts[2] != "apigateway" || !(strings.HasPrefix(parts[5], "path/") || strings.HasPrefix(parts[5], "action/")) {
		return awserr.BadRequest("AWS ARN for integration must contain path or action")
	}
	if typ == TypeAWSProxy {
		svc := parts[4]
		lambda := svc == "lambda" && strings.Contains(parts[5], "/functions/") && strings.HasSuffix(parts[5], "/invocations")
		firehose := svc == "firehose"
		if !lambda && !firehose {
			return awserr.BadRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
		}
	}
	return nil
}

func invalidParameter(key string) *awserr.Error {
	return awserr.BadRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: %s]", key)
}

// ValidateMethodParameters checks PutMethod's requestParameters keys:
// method.request.{header|querystring|path}.{name}, names unique across
// locations (control-plane.md §4).
func ValidateMethodParameters(params map[string]bool) error {
	seen := map[string]bool{}
	for k := range params {
		_, name, ok := cutLocation(k, "method.request.", "header", "querystring", "path")
		if !ok || !paramNamePattern.MatchString(name) {
			return invalidParameter(k)
		}
		if seen[name] {
			return awserr.BadRequest("Parameter names must be unique across querystring, header and path")
		}
		seen[name] = true
	}
	return nil
}

// ValidateMethodResponseParameters checks method.response.header.{name} keys.
func ValidateMethodResponseParameters(params map[string]bool) error {
	for k := range params {
		_, name, ok := cutLocation(k, "method.response.", "header")
		if !ok || !paramNamePattern.MatchString(name) {
			return invalidParameter(k)
		}
	}
	return nil
}

func validateTemplateKeys(t *OrderedMap) error {
	if t == nil {
		return nil
	}
	for _, k := range t.Keys {
		if !contentTypePattern.MatchString(k) {
			return awserr.BadRequest("Validation Result: warnings : [], errors : [Invalid content type specified: %s]", k)
		}
		if len(t.Values[k]) > 300*1024 {
			return awserr.BadRequest("Mapping template for content type %s exceeds the maximum size of 300 KB", k)
		}
	}
	return nil
}

// cutLocation splits prefix+loc+"."+name, where loc is one of locs.
func cutLocation(s, prefix string, locs ...string) (loc, name string, ok bool) {
	rest, found := strings.CutPrefix(s, prefix)
	if !found {
		return "", "", false
	}
	loc, name, found = strings.Cut(rest, ".")
	if !found || name == "" || !contains(locs, loc) {
		return "", "", false
	}
	return loc, name, true
}

// ValidateStageName checks a REST stage name ([A-Za-z0-9_-]{1,128}).
func ValidateStageName(name, field string) error {
	if !stageNamePattern.MatchString(name) {
		return awserr.BadRequest("Stage name only allows a-zA-Z0-9_")
	}
	return nil
}

// ValidateStageVariables checks names and values (README glossary: names
// alphanumerics and _, values [A-Za-z0-9-._~:/?#&=,]+, max 512).
func ValidateStageVariables(vars map[string]string) error {
	for k, v := range vars {
		if !stageVarNamePattern.MatchString(k) {
			return awserr.BadRequest("Stage variable name %s must only contain alphanumeric characters or underscores and be at most 64 characters", k)
		}
		if !stageVarValPattern.MatchString(v) {
			return awserr.BadRequest("Stage variable value %s for %s must match [A-Za-z0-9-._~:/?#&=,]+ and be at most 512 characters", v, k)
		}
	}
	if len(vars) > 100 {
		return awserr.BadRequest("A stage may have at most 100 variables")
	}
	return nil
}
