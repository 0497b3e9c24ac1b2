package pipeline

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/model"
)

// remappedHeaders are backend headers API Gateway manages itself; they
// reach the client as x-amzn-Remapped-{Name} (integrations-v1.md §13.5).
var remappedHeaders = map[string]bool{"Authorization": true, "Connection": true, "Content-Length": true,
	"Content-Md5": true, "Date": true, "Expect": true, "Host": true, "Max-Forwards": true,
	"Proxy-Authenticate": true, "Server": true, "Trailer": true, "Upgrade": true, "User-Agent": true,
	"Www-Authenticate": true, "X-Amzn-Requestid": true}

// remappedNames are the X-Amzn-Remapped- names of the remapped headers in
// their canonical spelling, so renaming them allocates nothing.
var remappedNames = func() map[string]string {
	m := make(map[string]string, len(remappedHeaders))
	for k := range remappedHeaders {
		m[k] = "X-Amzn-Remapped-" + k
	}
	return m
}()

func remappedName(k string) string {
	if n, ok := remappedNames[k]; ok {
		return n
	}
	return "X-Amzn-Remapped-" + k
}

// hopHeaders never cross a proxy.
var hopHeaders = map[string]bool{"Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true, "Te": true}

// proxyResponse returns the backend response as it is (integrations-v1.md §11).
type proxyResponse struct{}

func (proxyResponse) Name() string { return "Method response" }

func (proxyResponse) Run(_ context.Context, x *Exchange) error {
	resp := x.IntResp
	// The backend's header map is ours (integration.Response): filter and
	// rename in place. A renamed key added during the range is either
	// skipped or seen and kept as it is.
	h := resp.Header
	if h == nil {
		h = make(http.Header, 1)
	}
	for k, vs := range h {
		switch {
		case hopHeaders[k]:
			delete(h, k)
		case remappedHeaders[http.CanonicalHeaderKey(k)]:
			delete(h, k)
			h[remappedName(k)] = vs
		}
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = []string{"application/json"}
	}
	x.Result = Result{Status: resp.StatusCode, Header: h, Body: resp.Body}
	return nil
}

// intResponse is one compiled integration response.
type intResponse struct {
	status          int
	contentHandling string
	pattern         *regexp.Regexp // nil: the default response
	params          *mapping.ResponseMapper
	templates       *compiledTemplates
}

// integrationResponse selects and applies an integration response
// (integrations-v1.md §13).
type integrationResponse struct {
	responses []intResponse // patterned ones, lowest status code first
	def       *intResponse
	binary    binaryTypes
}

func compileResponses(cfg RESTConfig) (*integrationResponse, error) {
	s := &integrationResponse{binary: compileBinaryTypes(cfg.BinaryMediaTypes)}
	codes := make([]string, 0, len(cfg.Integration.IntegrationResponses))
	for code := range cfg.Integration.IntegrationResponses {
		codes = append(codes, code)
	}
	// Several matching patterns: the lowest status code wins
	// (integrations-v1.md §13.3 leaves the order open; we fix it).
	sort.Strings(codes)
	for _, code := range codes {
		ir := cfg.Integration.IntegrationResponses[code]
		n, _ := strconv.Atoi(ir.StatusCode)
		var declared map[string]bool
		if mr := cfg.Method.MethodResponses[code]; mr != nil {
			declared = mr.ResponseParameters
		}
		params, err := mapping.CompileResponseParameters(ir.ResponseParameters, func(h string) bool {
			_, ok := declared["method.response.header."+h]
			return ok
		})
		if err != nil {
			return nil, fmt.Errorf("response parameters of %s: %w", code, err)
		}
		tpls, err := compileTemplates(ir.ResponseTemplates)
		if err != nil {
			return nil, fmt.Errorf("response templates of %s: %w", code, err)
		}
		c := intResponse{status: n, params: params, templates: tpls, contentHandling: ir.ContentHandling}
		if ir.SelectionPattern == nil || *ir.SelectionPattern == "" {
			d := c
			s.def = &d
			continue
		}
		re, err := model.CompileSelectionPattern(*ir.SelectionPattern)
		if err != nil {
			return nil, fmt.Errorf("selection pattern %q: %w", *ir.SelectionPattern, err)
		}
		c.pattern = re
		s.responses = append(s.responses, c)
	}
	return s, nil
}

func (s *integrationResponse) Name() string { return "Integration response" }

func (s *integrationResponse) Run(_ context.Context, x *Exchange) error {
	resp := x.IntResp
	var sel string
	if resp.SelectionValue != nil {
		sel = *resp.SelectionValue
	} else {
		sel = strconv.Itoa(resp.StatusCode)
	}
	var chosen *intResponse
	for i := range s.responses {
		if s.responses[i].pattern.MatchString(sel) {
			chosen = &s.responses[i]
			break
		}
	}
	if chosen == nil {
		chosen = s.def
	}
	if chosen == nil {
		return &awserr.GatewayError{Type: awserr.APIConfigurationError,
			Cause: fmt.Errorf("no match for output mapping and no default output mapping configured (selection value %q)", sel)}
	}
	if x.Trace != nil {
		x.Trace.Note("Integration response", fmt.Sprintf("selection value %q → method response %d", sel, chosen.status))
	}
	h := http.Header{}
	if chosen.params.Len() > 0 {
		ir := mapping.IntegrationResponse{Body: resp.Body}
		for k, vs := range resp.Header {
			for _, v := range vs {
				ir.Headers = append(ir.Headers, mapping.Param{Name: k, Value: v})
			}
		}
		var out mapping.Params
		chosen.params.Map(x.Mapping(), &ir, &out)
		for _, p := range out {
			setResponseHeader(h, p.Name, p.Value)
		}
	}
	status := chosen.status
	body := resp.Body
	ct := "application/json"
	binaryData := s.binary.match(resp.Header.Get("Content-Type"))
	form := responseConversion(s.binary.set(), binaryData, s.binary.match(x.Header.Get("Accept")), chosen.contentHandling)
	if form == encodeBase64 {
		body = []byte(base64.StdEncoding.EncodeToString(body))
		binaryData = false
	}
	if key, ok := mapping.SelectResponseTemplate(x.Header.Get("Accept"), chosen.templates.keys); ok {
		if binaryData || !isText(body) {
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: errors.New("a response template cannot be applied to a binary payload")}
		}
		var buf bytes.Buffer
		x.Overrides.Reset()
		if err := chosen.templates.tpls[key].RenderResponse(&buf, x.Mapping(), resp.Body, &x.Overrides); err != nil {
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("response template %s: %w", key, err)}
		}
		body = buf.Bytes()
		ct = key
		if x.Trace != nil {
			x.Trace.Note("Response template", key+" → "+truncate(buf.String()))
		}
		if x.Overrides.Status != 0 {
			status = x.Overrides.Status
		}
		for _, o := range x.Overrides.ResponseHeader {
			h.Del(o.Name)
			for _, v := range o.Values {
				h.Add(o.Name, v)
			}
		}
	}
	if form == decodeBase64 {
		dec, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: errors.New("response payload is not valid base64 for CONVERT_TO_BINARY")}
		}
		body = dec
	}
	if h.Get("Content-Type") == "" {
		if rct := resp.Header.Get("Content-Type"); rct != "" && chosen.templates.keys == nil {
			ct = rct
		}
		h.Set("Content-Type", ct)
	}
	x.Result = Result{Status: status, Header: h, Body: body}
	return nil
}

// setResponseHeader sets a mapped method response header, remapping the
// names API Gateway manages (integrations-v1.md §13.5).
func setResponseHeader(h http.Header, name, value string) {
	if remappedHeaders[http.CanonicalHeaderKey(name)] {
		name = "x-amzn-Remapped-" + name
	}
	h.Set(name, value)
}
