package pipeline

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/model"
)

// GatewayResponses are a deployment's gateway response customisations,
// compiled once (errors-and-gateway-responses.md §2).
type GatewayResponses map[awserr.ResponseType]*gatewayResponse

type gatewayResponse struct {
	status    int
	params    *mapping.ResponseMapper
	templates *model.OrderedMap
}

// CompileGatewayResponses compiles the customised types of a deployment.
func CompileGatewayResponses(m map[string]*model.GatewayResponse) (GatewayResponses, error) {
	out := GatewayResponses{}
	for t, g := range m {
		c := &gatewayResponse{templates: g.ResponseTemplates}
		if g.StatusCode != "" {
			n, err := strconv.Atoi(g.StatusCode)
			if err != nil {
				return nil, fmt.Errorf("gateway response %s status %q", t, g.StatusCode)
			}
			c.status = n
		}
		p, err := mapping.CompileGatewayResponseParameters(g.ResponseParameters)
		if err != nil {
			return nil, fmt.Errorf("gateway response %s parameters: %w", t, err)
		}
		c.params = p
		out[awserr.ResponseType(t)] = c
	}
	return out, nil
}

// Render renders ge as the REST API's gateway response: the type's
// customisation, else DEFAULT_4XX/DEFAULT_5XX's, else the built-in
// default (errors-and-gateway-responses.md §2, §2.1). x may be nil when
// the request never reached a stage.
func (gs GatewayResponses) Render(ge *awserr.GatewayError, x *Exchange) Result {
	def, _ := awserr.DefaultOf(ge.Type)
	status := ge.StatusCode()
	var g *gatewayResponse
	if ge.Type != awserr.RequestTooLarge { // REQUEST_TOO_LARGE cannot be customised
		g = gs[ge.Type]
		if g == nil {
			if status >= 500 {
				g = gs[awserr.Default5XX]
			} else {
				g = gs[awserr.Default4XX]
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
	if g == nil {
		return Result{Status: status, Header: h, Body: []byte(body)}
	}
	if g.status != 0 {
		status = g.status
	}
	if x != nil && g.params.Len() > 0 {
		var out mapping.Params
		g.params.Map(x.Mapping(), nil, &out)
		for _, p := range out {
			h.Set(p.Name, p.Value)
		}
	}
	if g.templates.Len() > 0 {
		accept := ""
		if x != nil {
			accept = x.Header.Get("Accept")
		}
		if key, ok := mapping.SelectResponseTemplate(accept, g.templates.Keys); ok {
			body = substitute(g.templates.Values[key], ge, msg, msgString, x)
			h.Set("Content-Type", key)
		}
	}
	return Result{Status: status, Header: h, Body: []byte(body)}
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
