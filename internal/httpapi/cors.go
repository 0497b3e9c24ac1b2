package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/model"
)

// cors is a compiled corsConfiguration. When an API has one, the gateway
// answers preflight requests itself (before routing and authorization),
// adds the CORS headers to every response for an allowed origin, and
// ignores CORS headers the backend returns.
type cors struct {
	anyOrigin   bool
	origins     map[string]bool // lower-cased
	methods     string
	anyMethod   bool
	headers     string
	anyHeader   bool
	expose      string
	maxAge      string
	credentials bool
}

func compileCors(c *model.V2Cors) *cors {
	out := &cors{origins: map[string]bool{}}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			out.anyOrigin = true
		}
		out.origins[strings.ToLower(o)] = true
	}
	for _, m := range c.AllowMethods {
		if m == "*" {
			out.anyMethod = true
		}
	}
	out.methods = strings.ToUpper(strings.Join(c.AllowMethods, ","))
	for _, h := range c.AllowHeaders {
		if h == "*" {
			out.anyHeader = true
		}
	}
	out.headers = strings.ToLower(strings.Join(c.AllowHeaders, ","))
	out.expose = strings.ToLower(strings.Join(c.ExposeHeaders, ","))
	if c.MaxAge != nil && *c.MaxAge >= 0 {
		out.maxAge = strconv.Itoa(*c.MaxAge)
	}
	out.credentials = c.AllowCredentials != nil && *c.AllowCredentials
	return out
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin,
// or "" when the origin is not allowed.
func (c *cors) allowOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	if c.origins[strings.ToLower(origin)] {
		return origin
	}
	if c.anyOrigin {
		return "*"
	}
	return ""
}

// preflight answers an OPTIONS request carrying Origin and
// Access-Control-Request-Method: 204 with the allowed methods, headers
// and max age when the origin, method and headers are allowed; 204
// without CORS headers otherwise.
func (c *cors) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := c.allowOrigin(r.Header.Get("Origin"))
	method := strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
	reqHeaders := r.Header.Get("Access-Control-Request-Headers")
	if origin != "" && c.methodAllowed(method) && c.headersAllowed(reqHeaders) {
		h["Access-Control-Allow-Origin"] = []string{origin}
		if c.anyMethod {
			h["Access-Control-Allow-Methods"] = []string{method}
		} else {
			h["Access-Control-Allow-Methods"] = []string{c.methods}
		}
		switch {
		case c.anyHeader && reqHeaders != "":
			h["Access-Control-Allow-Headers"] = []string{strings.ToLower(reqHeaders)}
		case c.headers != "" && !c.anyHeader:
			h["Access-Control-Allow-Headers"] = []string{c.headers}
		}
		if c.maxAge != "" {
			h["Access-Control-Max-Age"] = []string{c.maxAge}
		}
		if c.credentials {
			h["Access-Control-Allow-Credentials"] = []string{"true"}
		}
		if c.expose != "" {
			h["Access-Control-Expose-Headers"] = []string{c.expose}
		}
	}
	h["Vary"] = []string{"Origin"}
	h["Content-Length"] = []string{"0"}
	w.WriteHeader(http.StatusNoContent)
}

func (c *cors) methodAllowed(m string) bool {
	if c.anyMethod {
		return true
	}
	for _, a := range strings.Split(c.methods, ",") {
		if a == m {
			return true
		}
	}
	return false
}

func (c *cors) headersAllowed(list string) bool {
	if c.anyHeader || list == "" {
		return true
	}
	for _, h := range strings.Split(list, ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		ok := false
		for _, a := range strings.Split(c.headers, ",") {
			if a == h {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// decorate replaces the backend's CORS headers with the API's for an
// allowed origin.
func (c *cors) decorate(h http.Header, r *http.Request) {
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			delete(h, k)
		}
	}
	origin := c.allowOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	h["Access-Control-Allow-Origin"] = []string{origin}
	if c.expose != "" {
		h["Access-Control-Expose-Headers"] = []string{c.expose}
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = []string{"true"}
	}
	h["Vary"] = append(h["Vary"], "Origin")
}
