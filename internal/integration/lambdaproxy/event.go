package lambdaproxy

import (
	"encoding/base64"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/jsonpath"
	"github.com/portico-dev/portico/internal/mapping"
)

// Request describes one method request as the REST proxy event reports
// it (integrations-v1.md §9.1). The caller fills it from the matched
// route; AppendEvent only reads it.
type Request struct {
	// Method is the client's method (the real verb even for ANY).
	Method string
	// Resource is the matched resource path template, e.g. /pets/{petId}.
	Resource string
	// Path is the request path below the stage, e.g. /pets/7.
	Path string
	// Header holds the client headers plus those API Gateway adds
	// (X-Forwarded-*, X-Amzn-Trace-Id, Host). Content-Length and
	// Connection are left out of the event.
	Header http.Header
	// Query holds the decoded query parameters, all values in order.
	Query url.Values
	// PathParams yields the path variables ({proxy+} as "proxy").
	PathParams iter.Seq2[string, string]
	// StageVars are the invoked stage's variables.
	StageVars map[string]string
	// Body is the method request body; nil or empty becomes null.
	Body []byte
	// BinaryMediaTypes is the API's binaryMediaTypes: a body whose
	// Content-Type matches one is sent base64-encoded.
	BinaryMediaTypes []string
	// Context is requestContext (§9.2).
	Context RequestContext
}

// RequestContext is the event's requestContext (integrations-v1.md §9.2).
type RequestContext struct {
	AccountID         string
	APIID             string
	DeploymentID      string
	DomainName        string
	DomainPrefix      string
	ExtendedRequestID string
	HTTPMethod        string
	// Path is the full request path including the stage, e.g. /prod/pets/7.
	Path      string
	Protocol  string // "HTTP/1.1" when empty
	RequestID string
	// RequestTime is the CLF time dd/MMM/yyyy:HH:mm:ss +0000.
	RequestTime      string
	RequestTimeEpoch int64 // milliseconds
	ResourceID       string
	ResourcePath     string
	Stage            string
	Identity         Identity
	// Authorizer, when non-nil, is the authorizer's output (principalId,
	// integrationLatency and context keys, or Cognito claims); it is
	// written as a JSON object whose values are already JSON.
	Authorizer []AuthorizerValue
}

// AuthorizerValue is one key of requestContext.authorizer; JSON is the
// value's JSON text (a string value must be quoted).
type AuthorizerValue struct {
	Key  string
	JSON []byte
}

// Identity is requestContext.identity; empty strings are written as null.
type Identity struct {
	AccessKey, AccountID, APIKey, APIKeyID, Caller           string
	CognitoAuthenticationProvider, CognitoAuthenticationType string
	CognitoIdentityID, CognitoIdentityPoolID, PrincipalOrgID string
	SourceIP, User, UserAgent, UserArn                       string
}

// AppendEvent appends the JSON proxy event for r to dst (payload format
// 1.0, integrations-v1.md §9.1). Every key is present; empty maps, an
// empty body and unset identity fields are null.
func AppendEvent(dst []byte, r *Request) []byte {
	dst = append(dst, `{"resource":`...)
	dst = appendString(dst, r.Resource)
	dst = append(dst, `,"path":`...)
	dst = appendString(dst, r.Path)
	dst = append(dst, `,"httpMethod":`...)
	dst = appendString(dst, r.Method)

	// headers: last value of each; multiValueHeaders: all values.
	dst = append(dst, `,"headers":`...)
	dst = appendHeaders(dst, r.Header, false)
	dst = append(dst, `,"multiValueHeaders":`...)
	dst = appendHeaders(dst, r.Header, true)
	dst = append(dst, `,"queryStringParameters":`...)
	dst = appendValues(dst, r.Query, false)
	dst = append(dst, `,"multiValueQueryStringParameters":`...)
	dst = appendValues(dst, r.Query, true)

	dst = append(dst, `,"pathParameters":`...)
	n := 0
	if r.PathParams != nil {
		for k, v := range r.PathParams {
			dst = appendSep(dst, n)
			dst = appendString(dst, k)
			dst = append(dst, ':')
			dst = appendString(dst, v)
			n++
		}
	}
	dst = closeMap(dst, n)

	dst = append(dst, `,"stageVariables":`...)
	n = 0
	for k, v := range r.StageVars {
		dst = appendSep(dst, n)
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, v)
		n++
	}
	dst = closeMap(dst, n)

	dst = append(dst, `,"requestContext":`...)
	dst = appendContext(dst, &r.Context)

	binary := len(r.Body) > 0 && r.Header != nil && mapping.MatchMediaType(r.BinaryMediaTypes, r.Header.Get("Content-Type"))
	dst = append(dst, `,"body":`...)
	switch {
	case len(r.Body) == 0:
		dst = append(dst, "null"...)
	case binary:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, r.Body)
		dst = append(dst, '"')
	default:
		dst = appendString(dst, string(r.Body))
	}
	if binary {
		dst = append(dst, `,"isBase64Encoded":true}`...)
	} else {
		dst = append(dst, `,"isBase64Encoded":false}`...)
	}
	return dst
}

// appendSep opens the object before the first member, else writes a comma.
func appendSep(dst []byte, n int) []byte {
	if n == 0 {
		return append(dst, '{')
	}
	return append(dst, ',')
}

// closeMap closes an object of n members; none is null.
func closeMap(dst []byte, n int) []byte {
	if n == 0 {
		return append(dst, "null"...)
	}
	return append(dst, '}')
}

// skipHeader reports headers the proxy event never carries (§9.1
// observed: Content-Length, Connection).
func skipHeader(k string) bool {
	return strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Connection")
}

func appendHeaders(dst []byte, h http.Header, multi bool) []byte {
	n := 0
	for k, vs := range h {
		if len(vs) == 0 || skipHeader(k) {
			continue
		}
		dst = appendSep(dst, n)
		dst = appendString(dst, k)
		dst = append(dst, ':')
		if multi {
			dst = appendStrings(dst, vs)
		} else {
			dst = appendString(dst, vs[len(vs)-1])
		}
		n++
	}
	return closeMap(dst, n)
}

func appendValues(dst []byte, q url.Values, multi bool) []byte {
	n := 0
	for k, vs := range q {
		if len(vs) == 0 {
			continue
		}
		dst = appendSep(dst, n)
		dst = appendString(dst, k)
		dst = append(dst, ':')
		if multi {
			dst = appendStrings(dst, vs)
		} else {
			dst = appendString(dst, vs[len(vs)-1])
		}
		n++
	}
	return closeMap(dst, n)
}

func appendStrings(dst []byte, vs []string) []byte {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, v)
	}
	return append(dst, ']')
}

// appendNullable writes s, or null when s is empty.
func appendNullable(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return appendString(dst, s)
}

func appendContext(dst []byte, c *RequestContext) []byte {
	proto := c.Protocol
	if proto == "" {
		proto = "HTTP/1.1"
	}
	dst = append(dst, `{"accountId":`...)
	dst = appendString(dst, c.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = appendString(dst, c.APIID)
	if c.Authorizer != nil {
		dst = append(dst, `,"authorizer":{`...)
		for i, a := range c.Authorizer {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, a.Key)
			dst = append(dst, ':')
			if len(a.JSON) == 0 {
				dst = append(dst, "null"...)
			} else {
				dst = append(dst, a.JSON...)
			}
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"deploymentId":`...)
	dst = appendString(dst, c.DeploymentID)
	dst = append(dst, `,"domainName":`...)
	dst = appendString(dst, c.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = appendString(dst, c.DomainPrefix)
	dst = append(dst, `,"extendedRequestId":`...)
	dst = appendString(dst, c.ExtendedRequestID)
	dst = append(dst, `,"httpMethod":`...)
	dst = appendString(dst, c.HTTPMethod)
	id := &c.Identity
	dst = append(dst, `,"identity":{"accessKey":`...)
	dst = appendNullable(dst, id.AccessKey)
	dst = append(dst, `,"accountId":`...)
	dst = appendNullable(dst, id.AccountID)
	if id.APIKey != "" {
		dst = append(dst, `,"apiKey":`...)
		dst = appendString(dst, id.APIKey)
		dst = append(dst, `,"apiKeyId":`...)
		dst = appendNullable(dst, id.APIKeyID)
	}
	dst = append(dst, `,"caller":`...)
	dst = appendNullable(dst, id.Caller)
	dst = append(dst, `,"cognitoAuthenticationProvider":`...)
	dst = appendNullable(dst, id.CognitoAuthenticationProvider)
	dst = append(dst, `,"cognitoAuthenticationType":`...)
	dst = appendNullable(dst, id.CognitoAuthenticationType)
	dst = append(dst, `,"cognitoIdentityId":`...)
	dst = appendNullable(dst, id.CognitoIdentityID)
	dst = append(dst, `,"cognitoIdentityPoolId":`...)
	dst = appendNullable(dst, id.CognitoIdentityPoolID)
	dst = append(dst, `,"principalOrgId":`...)
	dst = appendNullable(dst, id.PrincipalOrgID)
	dst = append(dst, `,"sourceIp":`...)
	dst = appendNullable(dst, id.SourceIP)
	dst = append(dst, `,"user":`...)
	dst = appendNullable(dst, id.User)
	dst = append(dst, `,"userAgent":`...)
	dst = appendNullable(dst, id.UserAgent)
	dst = append(dst, `,"userArn":`...)
	dst = appendNullable(dst, id.UserArn)
	dst = append(dst, `},"path":`...)
	dst = appendString(dst, c.Path)
	dst = append(dst, `,"protocol":`...)
	dst = appendString(dst, proto)
	dst = append(dst, `,"requestId":`...)
	dst = appendString(dst, c.RequestID)
	dst = append(dst, `,"requestTime":`...)
	dst = appendString(dst, c.RequestTime)
	dst = append(dst, `,"requestTimeEpoch":`...)
	dst = strconv.AppendInt(dst, c.RequestTimeEpoch, 10)
	dst = append(dst, `,"resourceId":`...)
	dst = appendString(dst, c.ResourceID)
	dst = append(dst, `,"resourcePath":`...)
	dst = appendString(dst, c.ResourcePath)
	dst = append(dst, `,"stage":`...)
	dst = appendString(dst, c.Stage)
	return append(dst, '}')
}

// appendString appends s as a JSON string (invalid UTF-8 becomes
// U+FFFD).
func appendString(dst []byte, s string) []byte { return jsonpath.AppendQuoted(dst, s) }

// BinaryAccepted reports whether the client's first Accept media type
// is one of the API's binaryMediaTypes (integrations-v1.md §9.3, §10).
func BinaryAccepted(binaryMediaTypes []string, accept string) bool {
	return mapping.MatchMediaType(binaryMediaTypes, accept)
}
