package cache

import (
	"strconv"
	"strings"
	"time"
)

// Cache TTL bounds (integrations-v1.md §12: caching/ttlInSeconds default
// 300, range 0..3600, 0 disables caching).
const (
	DefaultTTLSeconds = 300
	MaxTTLSeconds     = 3600
)

// Strategy is unauthorizedCacheControlHeaderStrategy: what to do with a
// Cache-Control: max-age=0 header from a caller not allowed to
// invalidate (integrations-v1.md §12).
type Strategy string

// The strategies. AWS defaults to SucceedWithResponseHeader.
const (
	FailWith403               Strategy = "FAIL_WITH_403"
	SucceedWithResponseHeader Strategy = "SUCCEED_WITH_RESPONSE_HEADER"
	SucceedWithoutHeader      Strategy = "SUCCEED_WITHOUT_RESPONSE_HEADER"
)

// MethodSetting is the caching part of one entry of a stage's
// methodSettings (control-plane.md §5.1 UpdateStage paths
// /{resourcePath}/{httpMethod}/caching/*), as stored in the model.
type MethodSetting struct {
	CachingEnabled bool
	// CacheTTLInSeconds is used as given: the management plane stores
	// DefaultTTLSeconds for a new entry (see DefaultMethodSetting).
	CacheTTLInSeconds                      int
	RequireAuthorizationForCacheControl    bool
	UnauthorizedCacheControlHeaderStrategy Strategy // "" means SucceedWithResponseHeader
}

// DefaultMethodSetting is a new methodSettings entry as AWS creates it:
// caching off, TTL 300, SUCCEED_WITH_RESPONSE_HEADER.
func DefaultMethodSetting() MethodSetting {
	return MethodSetting{CacheTTLInSeconds: DefaultTTLSeconds, UnauthorizedCacheControlHeaderStrategy: SucceedWithResponseHeader}
}

// StageSettings is what a stage says about caching.
type StageSettings struct {
	// CacheClusterEnabled is the stage's cacheClusterEnabled; without it
	// nothing is cached.
	CacheClusterEnabled bool
	// MethodSettings is the stage's methodSettings keyed
	// "{resourcePath}/{httpMethod}" without the leading slash
	// ("pets/GET", "pets/{id}/ANY"; the root resource is "/GET"), or
	// "*/*" for the whole stage. A "~1" in a key is read as "/".
	MethodSettings map[string]MethodSetting
}

// Settings is the caching behaviour of one method, resolved at deploy
// time.
type Settings struct {
	// Enabled: the method's responses are cached.
	Enabled bool
	// GETOnly: caching comes from the stage-wide "*/*" entry, which
	// caches GET requests only (integrations-v1.md §12); it matters for
	// ANY methods, whose requests come with any method.
	GETOnly bool
	// TTL of a stored entry, 1s..3600s when Enabled.
	TTL                  time.Duration
	RequireAuthorization bool
	Strategy             Strategy
}

// Resolve returns the caching Settings of the method httpMethod on the
// resource resourcePath ("/pets/{id}"). A methodSettings entry for the
// method itself wins whole over "*/*". Caching is on when the stage's
// cache cluster is enabled, the entry has cachingEnabled and its TTL is
// above 0; a TTL above 3600 is treated as 3600. Enabled only through
// "*/*", caching applies to GET (and to GET requests of ANY methods).
func Resolve(st StageSettings, resourcePath, httpMethod string) Settings {
	ms, ok := lookupSetting(st.MethodSettings, resourcePath, httpMethod)
	getOnly := false
	if !ok {
		ms, ok = st.MethodSettings["*/*"]
		getOnly = true
	}
	if !ok || !st.CacheClusterEnabled || !ms.CachingEnabled || ms.CacheTTLInSeconds <= 0 {
		return Settings{}
	}
	if getOnly && httpMethod != "GET" && httpMethod != "ANY" {
		return Settings{}
	}
	strategy := ms.UnauthorizedCacheControlHeaderStrategy
	switch strategy {
	case FailWith403, SucceedWithResponseHeader, SucceedWithoutHeader:
	default:
		strategy = SucceedWithResponseHeader
	}
	return Settings{
		Enabled:              true,
		GETOnly:              getOnly,
		TTL:                  time.Duration(min(ms.CacheTTLInSeconds, MaxTTLSeconds)) * time.Second,
		RequireAuthorization: ms.RequireAuthorizationForCacheControl,
		Strategy:             strategy,
	}
}

func lookupSetting(m map[string]MethodSetting, resourcePath, httpMethod string) (MethodSetting, bool) {
	if len(m) == 0 {
		return MethodSetting{}, false
	}
	path := strings.TrimPrefix(resourcePath, "/")
	if ms, ok := m[path+"/"+httpMethod]; ok {
		return ms, true
	}
	for k, ms := range m {
		if k == "*/*" || !strings.Contains(k, "~1") {
			continue
		}
		if strings.TrimPrefix(strings.ReplaceAll(k, "~1", "/"), "/") == path+"/"+httpMethod {
			return ms, true
		}
	}
	return MethodSetting{}, false
}

// Applies reports whether a request with HTTP method requestMethod goes
// through the cache.
func (s Settings) Applies(requestMethod string) bool {
	return s.Enabled && (!s.GETOnly || requestMethod == "GET")
}

// Decision is what the cache stage does with one request.
type Decision uint8

// The decisions of Decide.
const (
	// Skip: caching is off for the method; neither look up nor store.
	Skip Decision = iota
	// Use: look up; on a miss invoke and store.
	Use
	// Refresh: an authorized Cache-Control: max-age=0; do not look up,
	// invoke and replace the entry.
	Refresh
	// Deny: an unauthorized invalidation under FAIL_WITH_403; answer 403.
	Deny
	// UseWithWarning: an unauthorized invalidation under
	// SUCCEED_WITH_RESPONSE_HEADER; proceed as Use, ignoring the header,
	// and add WarningHeader to the response.
	UseWithWarning
)

// Lookup reports whether the cache is consulted before the integration.
func (d Decision) Lookup() bool { return d == Use || d == UseWithWarning }

// Store reports whether a response from the integration is stored.
func (d Decision) Store() bool { return d == Use || d == UseWithWarning || d == Refresh }

// Warn reports whether WarningHeader is added to the response.
func (d Decision) Warn() bool { return d == UseWithWarning }

// String names the decision for the execution trace.
func (d Decision) String() string {
	switch d {
	case Skip:
		return "skip"
	case Use:
		return "use"
	case Refresh:
		return "refresh"
	case Deny:
		return "deny"
	case UseWithWarning:
		return "use-with-warning"
	}
	return "decision(" + strconv.Itoa(int(d)) + ")"
}

// The warning added under SUCCEED_WITH_RESPONSE_HEADER. AWS documents
// that a header is added but not its name or text (integrations-v1.md
// §12 [ambiguous]); Portico uses an RFC 7234 Warning.
const (
	WarningHeader = "Warning"
	WarningValue  = `199 - "Cache-Control: max-age=0 ignored: caller is not authorized to invalidate the cache"`
)

// Decide applies the invalidation rule of integrations-v1.md §12 to one
// request of a method whose caching Settings are s (call it only when
// s.Applies to the request's method). cacheControl is the request's
// Cache-Control header (repeated headers joined with ", "); authorized
// reports whether the caller may execute-api:InvalidateCache on the
// method, and matters only when s.RequireAuthorization.
func Decide(s Settings, cacheControl string, authorized bool) Decision {
	switch {
	case !s.Enabled:
		return Skip
	case !InvalidationRequested(cacheControl):
		return Use
	case !s.RequireAuthorization || authorized:
		return Refresh
	case s.Strategy == FailWith403:
		return Deny
	case s.Strategy == SucceedWithoutHeader:
		return Use
	}
	return UseWithWarning
}

// InvalidationRequested reports whether a Cache-Control header value
// carries the directive max-age=0 (any case, optional quotes, any number
// of zero digits) among its comma-separated directives.
func InvalidationRequested(cacheControl string) bool {
	for cacheControl != "" {
		var d string
		d, cacheControl, _ = strings.Cut(cacheControl, ",")
		name, val, ok := strings.Cut(d, "=")
		if !ok || !strings.EqualFold(strings.Trim(name, " \t"), "max-age") {
			continue
		}
		val = strings.Trim(val, " \t")
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		if val != "" && strings.Trim(val, "0") == "" {
			return true
		}
	}
	return false
}
