package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Lambda proxy events and responses of HTTP APIs (integrations-v2.md §4).
// The types mirror aws-lambda-go's events.APIGatewayV2HTTPRequest and
// events.APIGatewayProxyRequest member for member, with the omission
// rules of §4.1 (authentication only with mutual TLS, scopes null when
// the token has none).

// EventV2 is the payload format 2.0 event.
type EventV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        ContextV2         `json:"requestContext"`
	Body                  *string           `json:"body,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
}

// ContextV2 is the 2.0 event's requestContext.
type ContextV2 struct {
	AccountID    string        `json:"accountId"`
	APIID        string        `json:"apiId"`
	Authorizer   *AuthorizerV2 `json:"authorizer,omitempty"`
	DomainName   string        `json:"domainName"`
	DomainPrefix string        `json:"domainPrefix"`
	HTTP         HTTPV2        `json:"http"`
	RequestID    string        `json:"requestId"`
	RouteKey     string        `json:"routeKey"`
	Stage        string        `json:"stage"`
	Time         string        `json:"time"`
	TimeEpoch    int64         `json:"timeEpoch"`
}

// AuthorizerV2 is requestContext.authorizer of a 2.0 event.
type AuthorizerV2 struct {
	JWT *JWTV2 `json:"jwt,omitempty"`
}

// JWTV2 carries a JWT authorizer's claims and scopes.
type JWTV2 struct {
	Claims map[string]string `json:"claims"`
	Scopes []string          `json:"scopes"`
}

// HTTPV2 is requestContext.http.
type HTTPV2 struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// EventV1 is the payload format 1.0 event of HTTP APIs (§4.2).
type EventV1 struct {
	Version                         string              `json:"version"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	RequestContext                  ContextV1           `json:"requestContext"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// ContextV1 is the 1.0 event's requestContext.
type ContextV1 struct {
	AccountID         string         `json:"accountId"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer,omitempty"`
	DomainName        string         `json:"domainName"`
	DomainPrefix      string         `json:"domainPrefix"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	HTTPMethod        string         `json:"httpMethod"`
	Identity          IdentityV1     `json:"identity"`
	Path              string         `json:"path"`
	Protocol          string         `json:"protocol"`
	RequestID         string         `json:"requestId"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	Stage             string         `json:"stage"`
}

// IdentityV1 is requestContext.identity of a 1.0 event.
type IdentityV1 struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
}

// isText tells bodies passed as text from those base64-encoded (§4.1:
// HTTP APIs encode every body that is not text).
func isText(contentType string, body []byte) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if ct == "" {
		return utf8.Valid(body)
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "javascript") || ct == "application/x-www-form-urlencoded" || ct == "application/yaml"
}

func eventBody(r *http.Request, body []byte) (*string, bool) {
	if len(body) == 0 {
		return nil, false
	}
	if isText(r.Header.Get("Content-Type"), body) {
		s := string(body)
		return &s, false
	}
	s := base64.StdEncoding.EncodeToString(body)
	return &s, true
}

func clfTime(x *exchange) string { return x.start.UTC().Format("02/Jan/2006:15:04:05 -0700") }

// buildV2 builds the 2.0 event (§4.1).
func (s *Server) buildV2(x *exchange) *EventV2 {
	r := x.r
	ev := &EventV2{Version: "2.0", RouteKey: x.routeKey, RawPath: x.rawPath, RawQueryString: r.URL.RawQuery,
		Headers: make(map[string]string, len(r.Header))}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[lk] = strings.Join(vs, ",")
	}
	if r.Host != "" {
		ev.Headers["host"] = r.Host
	}
	if len(r.Header["Content-Length"]) == 0 && len(x.body) > 0 {
		ev.Headers["content-length"] = strconv.Itoa(len(x.body))
	}
	if q := r.URL.RawQuery; q != "" {
		ev.QueryStringParameters = map[string]string{}
		for _, part := range strings.Split(q, "&") {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			if prev, ok := ev.QueryStringParameters[k]; ok {
				v = prev + "," + v
			}
			ev.QueryStringParameters[k] = v
		}
	}
	ev.PathParameters = x.params.Map()
	if len(x.stage.vars) > 0 {
		ev.StageVariables = x.stage.vars
	}
	ev.Body, ev.IsBase64Encoded = eventBody(r, x.body)
	c := &ev.RequestContext
	c.AccountID, c.APIID, c.RequestID, c.RouteKey, c.Stage = s.cfg.AccountID, x.api.id, x.requestID, x.routeKey, x.stage.name
	c.DomainName, c.DomainPrefix = r.Host, domainPrefix(r.Host)
	c.HTTP = HTTPV2{Method: r.Method, Path: unescapePath(x.rawPath), Protocol: r.Proto,
		SourceIP: remoteIP(r.RemoteAddr), UserAgent: r.Header.Get("User-Agent")}
	c.Time, c.TimeEpoch = clfTime(x), x.start.UnixMilli()
	if x.claims != nil {
		j := &JWTV2{Claims: make(map[string]string, len(x.claims)), Scopes: x.scopes}
		for k, v := range x.claims {
			j.Claims[k] = claimString(v)
		}
		c.Authorizer = &AuthorizerV2{JWT: j}
	}
	return ev
}

// buildV1 builds the 1.0 event of HTTP APIs (§4.2).
func (s *Server) buildV1(x *exchange) *EventV1 {
	r := x.r
	resource := x.routeKey
	if _, p, ok := strings.Cut(x.routeKey, " "); ok {
		resource = p
	}
	ev := &EventV1{Version: "1.0", Resource: resource, Path: unescapePath(x.rawPath), HTTPMethod: r.Method}
	if len(r.Header) > 0 || r.Host != "" {
		ev.Headers = map[string]string{}
		ev.MultiValueHeaders = map[string][]string{}
		for k, vs := range r.Header {
			ev.Headers[k] = vs[len(vs)-1]
			ev.MultiValueHeaders[k] = vs
		}
		if r.Host != "" {
			ev.Headers["Host"] = r.Host
			ev.MultiValueHeaders["Host"] = []string{r.Host}
		}
	}
	if q := r.URL.RawQuery; q != "" {
		ev.QueryStringParameters = map[string]string{}
		ev.MultiValueQueryStringParameters = map[string][]string{}
		for _, part := range strings.Split(q, "&") {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			ev.QueryStringParameters[k] = v
			ev.MultiValueQueryStringParameters[k] = append(ev.MultiValueQueryStringParameters[k], v)
		}
	}
	ev.PathParameters = x.params.Map()
	if len(x.stage.vars) > 0 {
		ev.StageVariables = x.stage.vars
	}
	ev.Body, ev.IsBase64Encoded = eventBody(r, x.body)
	c := &ev.RequestContext
	c.AccountID, c.APIID, c.RequestID, c.ExtendedRequestID = s.cfg.AccountID, x.api.id, x.requestID, x.requestID
	c.DomainName, c.DomainPrefix, c.HTTPMethod = r.Host, domainPrefix(r.Host), r.Method
	c.Path, c.Protocol, c.Stage = unescapePath(x.rawPath), r.Proto, x.stage.name
	c.RequestTime, c.RequestTimeEpoch = clfTime(x), x.start.UnixMilli()
	c.ResourceID, c.ResourcePath = x.routeKey, resource
	c.Identity.SourceIP, c.Identity.UserAgent = remoteIP(r.RemoteAddr), r.Header.Get("User-Agent")
	if x.claims != nil {
		claims := make(map[string]any, len(x.claims))
		for k, v := range x.claims {
			claims[k] = claimString(v)
		}
		c.Authorizer = map[string]any{"claims": claims, "scopes": x.scopes}
	}
	return ev
}

func (t *target) invokeLambda(ctx context.Context, s *Server, x *exchange) (*Response, error) {
	if s.cfg.Functions == nil {
		return nil, errors.New("no Lambda runtime is configured")
	}
	var ev any
	if t.payload == "2.0" {
		ev = s.buildV2(x)
	} else {
		ev = s.buildV1(x)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode lambda event: %w", err)
	}
	fn := string(t.function.render(nil, x))
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	res, err := s.cfg.Functions.InvokeFunction(ctx, fn, payload)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w: function %s: %v", errTimeout, fn, err)
		}
		return nil, fmt.Errorf("invoke %s: %w", fn, err)
	}
	if res.FunctionError != "" {
		return nil, fmt.Errorf("function %s failed (%s): %s", fn, res.FunctionError, truncate(res.Payload))
	}
	var out *Response
	if t.payload == "2.0" {
		out, err = ParseResponseV2(res.Payload)
	} else {
		out, err = ParseResponseV1(res.Payload)
	}
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", fn, err)
	}
	if t.respMap != nil {
		t.mapResponse(s.mappingRequest(x), out)
	}
	return out, nil
}

func truncate(b []byte) string {
	if len(b) > 256 {
		b = b[:256]
	}
	return string(b)
}

// Status, Header and Body expose a parsed response to tests and callers.
func (r *Response) Status() int         { return r.status }
func (r *Response) Header() http.Header { return r.header }
func (r *Response) Body() []byte        { return r.body }

// ParseResponseV2 interprets a payload 2.0 function result (§4.4): an
// object with statusCode is a structured response; any other valid JSON
// is the body of a 200 application/json response (a JSON string without
// its quotes). Anything else is an error (500).
func ParseResponseV2(payload []byte) (*Response, error) {
	payload = bytes.TrimSpace(payload)
	if !json.Valid(payload) {
		return nil, errors.New("malformed Lambda proxy response: not JSON")
	}
	if len(payload) > 0 && payload[0] == '{' {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(payload, &probe); err == nil {
			if _, ok := probe["statusCode"]; ok {
				return parseStructured(probe, true)
			}
		}
	}
	res := &Response{status: 200, header: http.Header{"Content-Type": []string{"application/json"}}}
	if payload[0] == '"' {
		var s string
		json.Unmarshal(payload, &s)
		res.body = []byte(s)
	} else {
		res.body = append([]byte(nil), payload...)
	}
	return res, nil
}

// ParseResponseV1 interprets a payload 1.0 function result (§4.3): an
// object with statusCode, headers, multiValueHeaders, body and
// isBase64Encoded. Anything else is an error (500).
func ParseResponseV1(payload []byte) (*Response, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil || probe == nil {
		return nil, errors.New("malformed Lambda proxy response: not a JSON object")
	}
	if _, ok := probe["statusCode"]; !ok {
		return nil, errors.New("malformed Lambda proxy response: no statusCode")
	}
	return parseStructured(probe, false)
}

func parseStructured(m map[string]json.RawMessage, v2 bool) (*Response, error) {
	res := &Response{header: http.Header{}}
	var code json.Number
	if err := json.Unmarshal(m["statusCode"], &code); err != nil {
		var s string
		if json.Unmarshal(m["statusCode"], &s) != nil {
			return nil, errors.New("malformed Lambda proxy response: statusCode is not a number")
		}
		code = json.Number(s)
	}
	n, err := strconv.Atoi(code.String())
	if err != nil || n < 100 || n > 599 {
		return nil, fmt.Errorf("malformed Lambda proxy response: invalid statusCode %s", code)
	}
	res.status = n
	if raw, ok := m["headers"]; ok && string(raw) != "null" {
		var hs map[string]any
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, errors.New("malformed Lambda proxy response: headers is not an object")
		}
		keys := make([]string, 0, len(hs))
		for k := range hs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			res.header[http.CanonicalHeaderKey(k)] = []string{scalarString(hs[k])}
		}
	}
	if raw, ok := m["multiValueHeaders"]; ok && !v2 && string(raw) != "null" {
		var hs map[string][]any
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, errors.New("malformed Lambda proxy response: multiValueHeaders is not an object of lists")
		}
		for k, vs := range hs {
			ck := http.CanonicalHeaderKey(k)
			res.header[ck] = res.header[ck][:0]
			for _, v := range vs {
				res.header[ck] = append(res.header[ck], scalarString(v))
			}
		}
	}
	if raw, ok := m["cookies"]; ok && v2 && string(raw) != "null" {
		var cs []string
		if err := json.Unmarshal(raw, &cs); err != nil {
			return nil, errors.New("malformed Lambda proxy response: cookies is not a list of strings")
		}
		res.header["Set-Cookie"] = append(res.header["Set-Cookie"], cs...)
	}
	var b64 bool
	if raw, ok := m["isBase64Encoded"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &b64); err != nil {
			return nil, errors.New("malformed Lambda proxy response: isBase64Encoded is not a boolean")
		}
	}
	if raw, ok := m["body"]; ok && string(raw) != "null" {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			// A non-string body is sent as its JSON text.
			s = string(raw)
		}
		if b64 {
			dec, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, errors.New("malformed Lambda proxy response: body is not valid base64")
			}
			res.body = dec
		} else {
			res.body = []byte(s)
		}
	}
	if v2 && len(res.header["Content-Type"]) == 0 && len(res.body) > 0 {
		res.header["Content-Type"] = []string{"application/json"}
	}
	return res, nil
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
