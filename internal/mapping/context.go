package mapping

import (
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/vtl"
)

// Identity holds $context.identity.* (vtl.md §4). Empty fields are null.
type Identity struct {
	AccountID, APIKey, APIKeyID, Caller                             string
	CognitoAuthenticationProvider, CognitoAuthenticationType        string
	CognitoIdentityID, CognitoIdentityPoolID, PrincipalOrgID        string
	SourceIP, User, UserAgent, UserArn, VpcID, VpceID               string
	ClientCertPem, ClientCertSubjectDN, ClientCertIssuerDN          string
	ClientCertSerialNumber, ClientCertNotBefore, ClientCertNotAfter string
}

// ErrorInfo holds $context.error.* (gateway responses, access logs).
type ErrorInfo struct {
	Message, ResponseType, ValidationErrorString string
}

// Context holds the $context variables of one request (vtl.md §4). The
// pipeline fills it; empty strings read as null.
type Context struct {
	RequestID, ExtendedRequestID, AccountID, APIID, DeploymentID string
	DomainName, DomainPrefix, HTTPMethod, Path, Protocol         string
	ResourceID, ResourcePath, Stage, AWSEndpointRequestID        string
	WAFResponseCode, WebACLArn                                   string
	IsCanaryRequest                                              bool
	RequestTime                                                  time.Time
	Identity                                                     Identity
	// Authorizer is $context.authorizer: principalId, claims (a map for
	// Cognito) and Lambda authorizer context values, already
	// stringified (vtl.md §4).
	Authorizer *vtl.Map
	Error      ErrorInfo
	// Vars holds further flat variables by dotted name, e.g. routeKey,
	// connectionId, eventType for HTTP and WebSocket APIs.
	Vars Params
}

// RequestTimeCLF formats RequestTime as dd/MMM/yyyy:HH:mm:ss +-hhmm.
func (c *Context) RequestTimeCLF() string {
	return c.RequestTime.Format("02/Jan/2006:15:04:05 -0700")
}

// Lookup resolves a dotted $context variable name ("requestId",
// "identity.sourceIp", "authorizer.claims.sub") to its text, as
// parameter mappings use it (context.X sources). ok is false for null.
func (c *Context) Lookup(name string) (string, bool) {
	var cur any = &contextObj{c: c}
	for name != "" {
		part, rest, _ := strings.Cut(name, ".")
		name = rest
		switch o := cur.(type) {
		case vtl.Object:
			v, ok := o.Property(part)
			if !ok {
				return "", false
			}
			cur = v
		case *vtl.Map:
			v, ok := o.Get(part)
			if !ok {
				return "", false
			}
			cur = v
		default:
			return "", false
		}
	}
	if cur == nil {
		return "", false
	}
	return javaString(cur), true
}

// contextObj is $context.
type contextObj struct {
	c         *Context
	overrides *Overrides
}

var _ vtl.Object = (*contextObj)(nil)

func str(s *string) (any, bool) {
	if *s == "" {
		return nil, false
	}
	return boxString(s), true
}

// contextString selects the string field of $context.name, or is nil.
func contextString(name string) func(c *Context) *string {
	switch name {
	case "requestId":
		return func(c *Context) *string { return &c.RequestID }
	case "extendedRequestId":
		return func(c *Context) *string { return &c.ExtendedRequestID }
	case "accountId":
		return func(c *Context) *string { return &c.AccountID }
	case "apiId":
		return func(c *Context) *string { return &c.APIID }
	case "deploymentId":
		return func(c *Context) *string { return &c.DeploymentID }
	case "domainName":
		return func(c *Context) *string { return &c.DomainName }
	case "domainPrefix":
		return func(c *Context) *string { return &c.DomainPrefix }
	case "httpMethod":
		return func(c *Context) *string { return &c.HTTPMethod }
	case "path":
		return func(c *Context) *string { return &c.Path }
	case "protocol":
		return func(c *Context) *string { return &c.Protocol }
	case "resourceId":
		return func(c *Context) *string { return &c.ResourceID }
	case "resourcePath":
		return func(c *Context) *string { return &c.ResourcePath }
	case "stage":
		return func(c *Context) *string { return &c.Stage }
	case "awsEndpointRequestId":
		return func(c *Context) *string { return &c.AWSEndpointRequestID }
	case "wafResponseCode":
		return func(c *Context) *string { return &c.WAFResponseCode }
	case "webaclArn":
		return func(c *Context) *string { return &c.WebACLArn }
	}
	return nil
}

var _ vtl.Binder = (*contextObj)(nil)

// BindProperty implements vtl.Binder for the string fields of $context.
func (*contextObj) BindProperty(name string) func(recv any) (any, bool) {
	if f := contextString(name); f != nil {
		return func(recv any) (any, bool) { return str(f(recv.(*contextObj).c)) }
	}
	return nil
}

// BindCall implements vtl.Binder; methods are looked up by name.
func (*contextObj) BindCall(string, int) func(recv any, args []any) (any, error) { return nil }

func (o *contextObj) Property(name string) (any, bool) {
	c := o.c
	if f := contextString(name); f != nil {
		return str(f(c))
	}
	switch name {
	case "isCanaryRequest":
		return c.IsCanaryRequest, true
	case "requestTime":
		if c.RequestTime.IsZero() {
			return nil, false
		}
		return c.RequestTimeCLF(), true
	case "requestTimeEpoch":
		if c.RequestTime.IsZero() {
			return nil, false
		}
		return c.RequestTime.UnixMilli(), true
	case "identity":
		return identityObj{&c.Identity}, true
	case "authorizer":
		if c.Authorizer == nil {
			return nil, false
		}
		return c.Authorizer, true
	case "error":
		return errorObj{&c.Error}, true
	case "requestOverride":
		if o.overrides == nil {
			return nil, false
		}
		return requestOverrideObj{o.overrides}, true
	case "responseOverride":
		if o.overrides == nil {
			return nil, false
		}
		return responseOverrideObj{o.overrides}, true
	}
	if v, ok := c.Vars.Last(name); ok {
		return v, true
	}
	return nil, false
}

func (o *contextObj) Call(name string, args []any) (any, error) {
	if name == "get" && len(args) == 1 {
		if s, ok := args[0].(string); ok {
			v, _ := o.Property(s)
			return v, nil
		}
		return nil, nil
	}
	return nil, vtl.ErrNoMethod
}

type identityObj struct{ id *Identity }

func (o identityObj) Property(name string) (any, bool) {
	id := o.id
	switch name {
	case "accountId":
		return str(&id.AccountID)
	case "apiKey":
		return str(&id.APIKey)
	case "apiKeyId":
		return str(&id.APIKeyID)
	case "caller":
		return str(&id.Caller)
	case "cognitoAuthenticationProvider":
		return str(&id.CognitoAuthenticationProvider)
	case "cognitoAuthenticationType":
		return str(&id.CognitoAuthenticationType)
	case "cognitoIdentityId":
		return str(&id.CognitoIdentityID)
	case "cognitoIdentityPoolId":
		return str(&id.CognitoIdentityPoolID)
	case "principalOrgId":
		return str(&id.PrincipalOrgID)
	case "sourceIp":
		return str(&id.SourceIP)
	case "user":
		return str(&id.User)
	case "userAgent":
		return str(&id.UserAgent)
	case "userArn":
		return str(&id.UserArn)
	case "vpcId":
		return str(&id.VpcID)
	case "vpceId":
		return str(&id.VpceID)
	case "clientCert":
		if id.ClientCertPem == "" {
			return nil, false
		}
		m := vtl.NewMap(5)
		m.Put("clientCertPem", id.ClientCertPem)
		m.Put("subjectDN", id.ClientCertSubjectDN)
		m.Put("issuerDN", id.ClientCertIssuerDN)
		m.Put("serialNumber", id.ClientCertSerialNumber)
		val := vtl.NewMap(2)
		val.Put("notBefore", id.ClientCertNotBefore)
		val.Put("notAfter", id.ClientCertNotAfter)
		m.Put("validity", val)
		return m, true
	}
	return nil, false
}

func (o identityObj) Call(name string, args []any) (any, error) {
	return nil, vtl.ErrNoMethod
}

type errorObj struct{ e *ErrorInfo }

func (o errorObj) Property(name string) (any, bool) {
	switch name {
	case "message":
		return str(&o.e.Message)
	case "messageString":
		if o.e.Message == "" {
			return nil, false
		}
		return `"` + o.e.Message + `"`, true
	case "responseType":
		return str(&o.e.ResponseType)
	case "validationErrorString":
		return str(&o.e.ValidationErrorString)
	}
	return nil, false
}

func (o errorObj) Call(name string, args []any) (any, error) {
	return nil, vtl.ErrNoMethod
}
