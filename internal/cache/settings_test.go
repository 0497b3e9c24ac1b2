package cache

import (
	"testing"
	"time"
)

func enabled(ttl int) MethodSetting {
	ms := DefaultMethodSetting()
	ms.CachingEnabled = true
	ms.CacheTTLInSeconds = ttl
	return ms
}

func TestResolve(t *testing.T) {
	t.Parallel()
	off := DefaultMethodSetting()
	strict := enabled(60)
	strict.RequireAuthorizationForCacheControl = true
	strict.UnauthorizedCacheControlHeaderStrategy = FailWith403
	for _, tc := range []struct {
		name         string
		cluster      bool
		settings     map[string]MethodSetting
		path, method string
		want         Settings
		appliesGET   bool
		appliesPOST  bool
	}{
		{"stage-level enablement caches GET", true, map[string]MethodSetting{"*/*": enabled(300)}, "/pets", "GET",
			Settings{Enabled: true, GETOnly: true, TTL: 300 * time.Second, Strategy: SucceedWithResponseHeader}, true, false},
		{"stage-level enablement does not cache POST", true, map[string]MethodSetting{"*/*": enabled(300)}, "/pets", "POST",
			Settings{}, false, false},
		{"stage-level enablement caches only GET requests of ANY", true, map[string]MethodSetting{"*/*": enabled(300)}, "/pets", "ANY",
			Settings{Enabled: true, GETOnly: true, TTL: 300 * time.Second, Strategy: SucceedWithResponseHeader}, true, false},
		{"method setting enables POST", true, map[string]MethodSetting{"*/*": enabled(300), "pets/POST": enabled(30)}, "/pets", "POST",
			Settings{Enabled: true, TTL: 30 * time.Second, Strategy: SucceedWithResponseHeader}, true, true},
		{"method setting on ANY caches every request method", true, map[string]MethodSetting{"pets/ANY": enabled(30)}, "/pets", "ANY",
			Settings{Enabled: true, TTL: 30 * time.Second, Strategy: SucceedWithResponseHeader}, true, true},
		{"method setting wins whole over */*", true, map[string]MethodSetting{"*/*": enabled(300), "pets/GET": off}, "/pets", "GET",
			Settings{}, false, false},
		{"nested resource path key", true, map[string]MethodSetting{"pets/{id}/GET": enabled(10)}, "/pets/{id}", "GET",
			Settings{Enabled: true, TTL: 10 * time.Second, Strategy: SucceedWithResponseHeader}, true, true},
		{"~1-escaped key is read as a path", true, map[string]MethodSetting{"~1pets~1{id}/GET": enabled(10)}, "/pets/{id}", "GET",
			Settings{Enabled: true, TTL: 10 * time.Second, Strategy: SucceedWithResponseHeader}, true, true},
		{"root resource key", true, map[string]MethodSetting{"/GET": enabled(10)}, "/", "GET",
			Settings{Enabled: true, TTL: 10 * time.Second, Strategy: SucceedWithResponseHeader}, true, true},
		{"other resource's setting does not apply", true, map[string]MethodSetting{"owners/GET": enabled(10)}, "/pets", "GET",
			Settings{}, false, false},
		{"ttl 0 disables caching", true, map[string]MethodSetting{"*/*": enabled(0)}, "/pets", "GET",
			Settings{}, false, false},
		{"ttl max 3600", true, map[string]MethodSetting{"*/*": enabled(3600)}, "/pets", "GET",
			Settings{Enabled: true, GETOnly: true, TTL: time.Hour, Strategy: SucceedWithResponseHeader}, true, false},
		{"ttl above 3600 is held to 3600", true, map[string]MethodSetting{"*/*": enabled(7200)}, "/pets", "GET",
			Settings{Enabled: true, GETOnly: true, TTL: time.Hour, Strategy: SucceedWithResponseHeader}, true, false},
		{"negative ttl disables caching", true, map[string]MethodSetting{"*/*": enabled(-1)}, "/pets", "GET",
			Settings{}, false, false},
		{"default ttl is 300", true, map[string]MethodSetting{"*/*": enabled(DefaultMethodSetting().CacheTTLInSeconds)}, "/pets", "GET",
			Settings{Enabled: true, GETOnly: true, TTL: 300 * time.Second, Strategy: SucceedWithResponseHeader}, true, false},
		{"cache cluster disabled caches nothing", false, map[string]MethodSetting{"*/*": enabled(300)}, "/pets", "GET",
			Settings{}, false, false},
		{"cachingEnabled false caches nothing", true, map[string]MethodSetting{"*/*": off}, "/pets", "GET",
			Settings{}, false, false},
		{"no method settings caches nothing", true, nil, "/pets", "GET",
			Settings{}, false, false},
		{"authorization requirement and strategy carry over", true, map[string]MethodSetting{"pets/GET": strict}, "/pets", "GET",
			Settings{Enabled: true, TTL: time.Minute, RequireAuthorization: true, Strategy: FailWith403}, true, true},
		{"empty or unknown strategy means SUCCEED_WITH_RESPONSE_HEADER", true,
			map[string]MethodSetting{"pets/GET": {CachingEnabled: true, CacheTTLInSeconds: 5, UnauthorizedCacheControlHeaderStrategy: "NOPE"}}, "/pets", "GET",
			Settings{Enabled: true, TTL: 5 * time.Second, Strategy: SucceedWithResponseHeader}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Resolve(StageSettings{CacheClusterEnabled: tc.cluster, MethodSettings: tc.settings}, tc.path, tc.method)
			if got != tc.want {
				t.Fatalf("Resolve = %+v, want %+v", got, tc.want)
			}
			if got.Applies("GET") != tc.appliesGET || got.Applies("POST") != tc.appliesPOST {
				t.Fatalf("Applies(GET)=%v Applies(POST)=%v, want %v %v", got.Applies("GET"), got.Applies("POST"), tc.appliesGET, tc.appliesPOST)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	on := func(require bool, s Strategy) Settings {
		return Settings{Enabled: true, TTL: time.Minute, RequireAuthorization: require, Strategy: s}
	}
	for _, tc := range []struct {
		name         string
		s            Settings
		cacheControl string
		authorized   bool
		want         Decision
	}{
		{"caching off: skip the cache", Settings{}, "max-age=0", true, Skip},
		{"no Cache-Control: use the cache", on(true, FailWith403), "", false, Use},
		{"other directives: use the cache", on(true, FailWith403), "no-store, max-age=10", false, Use},
		{"without the policy requirement any client can invalidate", on(false, FailWith403), "max-age=0", false, Refresh},
		{"authorized client invalidates: bypass and replace", on(true, FailWith403), "max-age=0", true, Refresh},
		{"FAIL_WITH_403: unauthorized invalidation is denied", on(true, FailWith403), "max-age=0", false, Deny},
		{"SUCCEED_WITH_RESPONSE_HEADER: header ignored, warning added", on(true, SucceedWithResponseHeader), "max-age=0", false, UseWithWarning},
		{"SUCCEED_WITHOUT_RESPONSE_HEADER: header ignored silently", on(true, SucceedWithoutHeader), "max-age=0", false, Use},
		{"authorized under SUCCEED_WITHOUT_RESPONSE_HEADER still invalidates", on(true, SucceedWithoutHeader), "max-age=0", true, Refresh},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Decide(tc.s, tc.cacheControl, tc.authorized); got != tc.want {
				t.Fatalf("Decide = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDecisionEffects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d                   Decision
		lookup, store, warn bool
	}{
		{Skip, false, false, false},
		{Use, true, true, false},
		{Refresh, false, true, false},
		{Deny, false, false, false},
		{UseWithWarning, true, true, true},
	} {
		t.Run(tc.d.String(), func(t *testing.T) {
			if tc.d.Lookup() != tc.lookup || tc.d.Store() != tc.store || tc.d.Warn() != tc.warn {
				t.Fatalf("%v: lookup %v store %v warn %v", tc.d, tc.d.Lookup(), tc.d.Store(), tc.d.Warn())
			}
		})
	}
	if Decision(9).String() != "decision(9)" {
		t.Fatal(Decision(9).String())
	}
}

func TestInvalidationRequested(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"max-age=0", true},
		{"Max-Age=0", true},
		{"no-cache, max-age=0", true},
		{"max-age=0,no-store", true},
		{" max-age = 0 ", true},
		{`max-age="0"`, true},
		{"max-age=00", true},
		{"", false},
		{"max-age=10", false},
		{"max-age=", false},
		{"max-age", false},
		{"s-maxage=0", false},
		{"no-cache", false},
		{"max-age=0x", false},
		{"x-max-age=0", false},
	} {
		t.Run("Cache-Control: "+tc.in, func(t *testing.T) {
			if got := InvalidationRequested(tc.in); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzInvalidationRequested(f *testing.F) {
	for _, s := range []string{"max-age=0", "no-cache, max-age=0", `max-age="0"`, "max-age=10", "", ",,=", "MAX-AGE=000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := InvalidationRequested(s)
		// Appending a max-age=0 directive always requests invalidation;
		// a value without "max-age" never does.
		if !InvalidationRequested(s + ",max-age=0") {
			t.Fatalf("%q + max-age=0 not recognised", s)
		}
		if got && !containsFold(s, "max-age") {
			t.Fatalf("%q recognised without max-age", s)
		}
	})
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
