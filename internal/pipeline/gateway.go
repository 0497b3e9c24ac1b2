package pipeline

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/model"
)

// GatewayResponse renders ge as the REST API's gateway response: the
// type's customisation, else DEFAULT_4XX/DEFAULT_5XX's, else the built-in
// default (errors-and-gateway-responses.md §2, §2.1). custom may be nil.
// x may be nil when the request never reached a stage.
func GatewayResponse(ge *awserr.GatewayError, custom map[string]*model.GatewayResponse, x *Exchange) Result {
	def, _ := awserr.DefaultOf(ge.Type)
	status := ge.StatusCode()
	var g *model.GatewayResponse
	if ge.Type != awserr.RequestTooLarge { // REQUEST_TOO_LARGE cannot be customised
		g = custom[string(ge.Type)]
		if g == nil {
			if status >= 500 {
				g = custom[string(awserr.Default5XX)]
			} else {
				g = custom[string(awserr.Default4XX)]
			}
		}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if def.ErrorType != "" {
		h["x-amzn-ErrorType"] = []string{def.ErrorType}
	}
	msg := ge.MessageText()
	msgString := "null"
	if msg != "" {
		b, _ := json.Marshal(msg)
		msgString = string(b)
	}
	body := `{"message":` + msgString + `}`
	if g != nil {
		if g.StatusCode != "" {
			if n, err := strconv.Atoi(g.StatusCode); err == nil {
				status = n
			}
		}
		for k, src := range g.ResponseParameters {
			name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
			if !ok {
				continue
			}
			if v, ok := gatewaySource(src, x); ok {
				h.Set(name, v)
			}
		}
		if g.ResponseTemplates.Len() > 0 {
			accept := ""
			if x != nil {
				accept = x.Header.Get("Accept")
			}
			key := selectResponseTemplate(g.ResponseTemplates, accept)
			body = substitute(g.ResponseTemplates.Values[key], ge, msg, msgString, x)
			h.Set("Content-Type", key)
		}
	}
	return Result{Status: status, Header: h, Body: []byte(body)}
}

// gatewaySource evaluates a gateway response parameter source (§2).
func gatewaySource(src string, x *Exchange) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	if x == nil {
		return "", false
	}
	switch {
	case strings.HasPrefix(src, "method.request.header."):
		v := x.Header.Get(strings.TrimPrefix(src, "method.request.header."))
		return v, v != ""
	case strings.HasPrefix(src, "method.request.multivalueheader."):
		vs := x.Header.Values(strings.TrimPrefix(src, "method.request.multivalueheader."))
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(src, "method.request.querystring."):
		vs := x.Query()[strings.TrimPrefix(src, "method.request.querystring.")]
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case strings.HasPrefix(src, "method.request.multivaluequerystring."):
		vs := x.Query()[strings.TrimPrefix(src, "method.request.multivaluequerystring.")]
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(src, "method.request.path."):
		return x.Params.Get(strings.TrimPrefix(src, "method.request.path."))
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := x.StageVars[strings.TrimPrefix(src, "stageVariables.")]
		return v, ok
	case strings.HasPrefix(src, "context."):
		return contextValue(strings.TrimPrefix(src, "context."), x)
	}
	return "", false
}

// substitute renders a gateway response template: plain variable
// substitution, no directives (errors-and-gateway-responses.md §2).
func substitute(tpl string, ge *awserr.GatewayError, msg, msgString string, x *Exchange) string {
	var b strings.Builder
	for i := 0; i < len(tpl); {
		if tpl[i] != '$' {
			b.WriteByte(tpl[i])
			i++
			continue
		}
		j := i + 1
		brace := j < len(tpl) && tpl[j] == '{'
		if brace {
			j++
		}
		k := j
		for k < len(tpl) && (isIdent(tpl[k]) || tpl[k] == '.') {
			k++
		}
		name := strings.TrimRight(tpl[j:k], ".")
		k = j + len(name)
		if brace {
			if k < len(tpl) && tpl[k] == '}' {
				k++
			} else {
				b.WriteByte('$')
				i++
				continue
			}
		}
		var v string
		switch {
		case name == "context.error.message":
			v = msg
		case name == "context.error.messageString":
			v = msgString
		case name == "context.error.responseType":
			v = string(ge.Type)
		case name == "context.error.validationErrorString":
		case strings.HasPrefix(name, "context."):
			v, _ = contextValue(strings.TrimPrefix(name, "context."), x)
		case strings.HasPrefix(name, "stageVariables.") && x != nil:
			v = x.StageVars[strings.TrimPrefix(name, "stageVariables.")]
		default:
			b.WriteString(tpl[i:k])
			i = k
			continue
		}
		b.WriteString(v)
		i = k
	}
	return b.String()
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// contextValue resolves the request-level $context variables a gateway
// response can use.
func contextValue(name string, x *Exchange) (string, bool) {
	if x == nil {
		return "", false
	}
	switch name {
	case "requestId":
		return x.RequestID, true
	case "extendedRequestId":
		return x.ExtendedID, true
	case "httpMethod":
		return x.HTTPMethod, true
	case "stage":
		return x.Stage, true
	case "resourcePath":
		return x.ResourcePath, true
	case "identity.sourceIp":
		return x.SourceIP, true
	case "identity.userAgent":
		return x.Header.Get("User-Agent"), true
	case "domainName":
		return x.Host, true
	case "protocol":
		return x.Protocol, true
	}
	return "", false
}
