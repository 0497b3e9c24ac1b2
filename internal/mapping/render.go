package mapping

import (
	"bytes"
	"fmt"

	"github.com/portico-dev/portico/internal/vtl"
)

// Template is a compiled mapping template. It is immutable apart from
// its JSONPath cache and safe for concurrent renders.
type Template struct {
	tpl   *vtl.Template
	src   string
	paths PathCache
}

// maxTemplateSize is API Gateway's template size limit (vtl.md §1.2).
const maxTemplateSize = 300 << 10

// CompileTemplate parses a mapping template once, at deploy time. The
// error of a template that does not parse is a *vtl.ParseError carrying
// the line and column.
func CompileTemplate(src string) (*Template, error) {
	if len(src) > maxTemplateSize {
		return nil, fmt.Errorf("mapping template is %d bytes, more than the 300 KB limit", len(src))
	}
	t, err := vtl.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse mapping template: %w", err)
	}
	return &Template{tpl: t, src: src}, nil
}

// Source returns the template text.
func (t *Template) Source() string { return t.src }

// renderScope is the root scope of one render.
type renderScope struct {
	input inputObj
	ctx   contextObj
	req   *Request
}

var _ vtl.Scope = (*renderScope)(nil)

func (s *renderScope) Lookup(name string) (any, bool) {
	switch name {
	case "input":
		return &s.input, true
	case "util":
		return Util{}, true
	case "context":
		if s.ctx.c == nil {
			return nil, false
		}
		return &s.ctx, true
	case "stageVariables":
		return s.req.StageVariablesMap(), true
	}
	return nil, false
}

// renderOptions are API Gateway's: null references render empty,
// #foreach stops at 1000 iterations (vtl.md §1).
var renderOptions = vtl.Options{NullAsEmpty: true, MaxIterations: 1000}

// RenderRequest renders a request template (integrations-v1.md §7.1):
// $input is the method request, $context.requestOverride.* lands in ov
// (which may be nil when overrides are not available). The output is
// appended to buf. Template errors are a *vtl.RenderError (line and
// column) or wrap ErrOverrideTwice; the caller answers 500.
func (t *Template) RenderRequest(buf *bytes.Buffer, req *Request, ov *Overrides) error {
	return t.render(buf, req, req.Body, &req.body, ov, false)
}

// RenderResponse renders a response template (integrations-v1.md §13.6):
// $input.body/json/path read the integration response body, while
// $input.params still reads the method request; responseOverride.* lands
// in ov.
func (t *Template) RenderResponse(buf *bytes.Buffer, req *Request, body []byte, ov *Overrides) error {
	return t.render(buf, req, body, req.responseBody(body), ov, false)
}

// render renders with the template's compiled form, or with vtl's
// reference evaluator when ref is set (differential tests).
func (t *Template) render(buf *bytes.Buffer, req *Request, payload []byte, cache *bodyCache, ov *Overrides, ref bool) error {
	// The scope lives in the request, so a render does not allocate it;
	// renders of one request run one after the other.
	s := &req.scope
	*s = renderScope{req: req}
	s.input = inputObj{req: req, payload: payload, cache: cache, paths: &t.paths}
	s.ctx = contextObj{c: req.Context, overrides: ov}
	var err error
	if ref {
		err = t.tpl.RenderReference(buf, s, renderOptions)
	} else {
		err = t.tpl.RenderWith(buf, s, renderOptions, &req.renderer)
	}
	if err != nil {
		return fmt.Errorf("render mapping template: %w", err)
	}
	return nil
}
