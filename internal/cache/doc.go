// Package cache is the REST API stage cache (integrations-v1.md §12).
//
// It owns four things: the Cache interface that every cache backend
// implements (Memory here; a shared, distributed cache later); the
// byte-bounded, sharded LRU Memory cache with a TTL per entry; the
// KeyBuilder that turns (stage, cacheNamespace, HTTP method,
// cacheKeyParameters) into a cache Key per request; and the resolution
// of a stage's methodSettings (control-plane.md §3, §5.1) into per-method
// Settings plus the Decide rule for the Cache-Control: max-age=0
// invalidation header.
//
// It does no I/O beyond memory: no network, no files, no logging, no
// goroutines of its own. It does not import the model; the stage's
// settings come in as the plain types MethodSetting and StageSettings,
// and the request comes in through the small Request view. Wiring into
// the pipeline (the cache lookup stage and the store after the method
// response) belongs to internal/pipeline.
package cache
