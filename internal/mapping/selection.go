package mapping

import "strings"

// Passthrough behaviours of an integration (integrations-v1.md §8).
const (
	WhenNoMatch     = "WHEN_NO_MATCH"
	WhenNoTemplates = "WHEN_NO_TEMPLATES"
	Never           = "NEVER"
)

// Decision is what to do with a request body (integrations-v1.md §8).
type Decision uint8

const (
	// Transform: render the selected template.
	Transform Decision = iota
	// PassThrough: forward the body unmodified.
	PassThrough
	// Unsupported: answer 415 UNSUPPORTED_MEDIA_TYPE
	// {"message": "Unsupported Media Type"} before calling the backend.
	Unsupported
)

func (d Decision) String() string {
	switch d {
	case Transform:
		return "transform"
	case PassThrough:
		return "passthrough"
	}
	return "unsupported media type"
}

// MediaType returns the MIME type of a Content-Type or Accept value:
// the first media type, parameters stripped, trimmed, lower-cased
// (integrations-v1.md §7 rule 1).
func MediaType(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(v)
		}
	}
	return v
}

// SelectRequestTemplate picks the request template for a request's
// Content-Type among keys (the requestTemplates content types) and
// applies passthroughBehavior (integrations-v1.md §7, §8): the key is
// the media type, application/json when there is no Content-Type; a
// template for it is rendered; otherwise WHEN_NO_MATCH passes through,
// WHEN_NO_TEMPLATES passes through only when there are no templates, and
// NEVER answers 415. An empty behaviour means WHEN_NO_MATCH. key is the
// matching entry of keys when d is Transform.
func SelectRequestTemplate(contentType string, keys []string, behavior string) (key string, d Decision) {
	want := MediaType(contentType)
	if want == "" {
		want = "application/json"
	}
	for _, k := range keys {
		if strings.EqualFold(strings.TrimSpace(k), want) {
			return k, Transform
		}
	}
	switch behavior {
	case WhenNoTemplates:
		if len(keys) == 0 {
			return "", PassThrough
		}
		return "", Unsupported
	case Never:
		return "", Unsupported
	}
	return "", PassThrough
}

// SelectResponseTemplate picks the response template for the request's
// Accept header among keys in definition order (integrations-v1.md
// §13.6): the template for the first Accept media type, else
// application/json, else the first template. ok is false when there are
// no templates (the body passes through).
func SelectResponseTemplate(accept string, keys []string) (key string, ok bool) {
	if len(keys) == 0 {
		return "", false
	}
	if want := MediaType(accept); want != "" {
		for _, k := range keys {
			if strings.EqualFold(strings.TrimSpace(k), want) {
				return k, true
			}
		}
	}
	for _, k := range keys {
		if strings.EqualFold(strings.TrimSpace(k), "application/json") {
			return k, true
		}
	}
	return keys[0], true
}

// ValidateContentTypeKey checks a requestTemplates/responseTemplates key
// at Put time (integrations-v1.md §16): a media type type/subtype made of
// token characters, optionally with parameters.
func ValidateContentTypeKey(key string) error {
	mt, _, _ := strings.Cut(key, ";")
	typ, sub, ok := strings.Cut(strings.TrimSpace(mt), "/")
	if !ok || !isToken(typ) || !isToken(sub) {
		return &ContentTypeError{Key: key}
	}
	return nil
}

// ContentTypeError is the Put-time error for a template key that is not
// a content type.
type ContentTypeError struct{ Key string }

func (e *ContentTypeError) Error() string {
	return "Validation Result: warnings : [], errors : [Invalid content type specified: " + e.Key + "]"
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7F || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// MatchMediaType reports whether the first media type of a Content-Type
// or Accept value (parameters ignored) matches one of types, which may
// use wildcards such as image/* or */* (integrations-v1.md §10: only the
// first Accept entry is honoured).
func MatchMediaType(types []string, v string) bool {
	if len(types) == 0 || v == "" {
		return false
	}
	typ, sub, _ := strings.Cut(MediaType(v), "/")
	for _, t := range types {
		tt, ts, _ := strings.Cut(strings.TrimSpace(t), "/")
		if (tt == "*" || strings.EqualFold(tt, typ)) && (ts == "*" || strings.EqualFold(ts, sub)) {
			return true
		}
	}
	return false
}
