package router

import (
	"fmt"
	"strings"
)

// Keys selects a WebSocket route by exact route key (integrations-v2.md
// §9.2): the route whose key equals the evaluated selection expression,
// else $default. It is immutable once built and safe for concurrent use.
type Keys[V any] struct {
	routes map[string]V
	def    V
	hasDef bool
}

// NewKeys builds a key table from route keys to values. Custom keys must
// not start with '$'; the reserved keys are $connect, $disconnect and
// $default.
func NewKeys[V any](routes map[string]V) (*Keys[V], error) {
	k := &Keys[V]{routes: make(map[string]V, len(routes))}
	for key, v := range routes {
		switch {
		case key == DefaultRoute:
			k.def, k.hasDef = v, true
		case key == "$connect" || key == "$disconnect":
			k.routes[key] = v
		case key == "" || strings.HasPrefix(key, "$"):
			return nil, fmt.Errorf("router: invalid WebSocket route key %q", key)
		default:
			k.routes[key] = v
		}
	}
	return k, nil
}

// Select routes a message whose selection expression evaluated to key:
// the custom route with that exact key, else $default. A key starting
// with '$' never selects $connect or $disconnect. The returned route key
// is key itself or "$default"; ok is false when neither exists.
func (k *Keys[V]) Select(key string) (v V, routeKey string, ok bool) {
	if k == nil {
		return v, "", false
	}
	if !strings.HasPrefix(key, "$") {
		if v, ok := k.routes[key]; ok {
			return v, key, true
		}
	}
	if k.hasDef {
		return k.def, DefaultRoute, true
	}
	return v, "", false
}

// Route returns the value bound to key exactly, including the reserved
// $connect, $disconnect and $default routes.
func (k *Keys[V]) Route(key string) (v V, ok bool) {
	if k == nil {
		return v, false
	}
	if key == DefaultRoute {
		return k.def, k.hasDef
	}
	v, ok = k.routes[key]
	return v, ok
}
