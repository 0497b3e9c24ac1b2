package deploy

import (
	"fmt"
	"strings"

	"github.com/portico-dev/portico/internal/cache"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/pipeline"
)

// MethodCache is one method's caching on one stage, resolved at deploy
// time (integrations-v1.md §12).
type MethodCache struct {
	Settings cache.Settings
	Keys     *cache.KeyBuilder
}

// stageCache is a stage's cache cluster: kept across reloads of the same
// stage, recreated (emptied) when its size changes (§12).
type stageCache struct {
	size string
	c    *cache.Memory
}

// CacheFor returns m's caching on this stage, or nil.
func (s *Stage) CacheFor(m *pipeline.Method) *MethodCache {
	if s.methodCache == nil {
		return nil
	}
	return s.methodCache[m]
}

// bindCache gives st its cache cluster and resolves each method's
// settings; the caller holds d.mu.
func (d *Deployer) bindCache(apiID string, st *model.Stage, served *Stage) error {
	key := apiID + "/" + st.StageName
	if !st.CacheClusterEnabled {
		if old := d.caches[key]; old != nil {
			old.c.Close()
			delete(d.caches, key)
		}
		return nil
	}
	sc := d.caches[key]
	if sc == nil || sc.size != st.CacheClusterSize {
		if sc != nil {
			sc.c.Close()
		}
		sc = &stageCache{size: st.CacheClusterSize, c: cache.NewMemory(cache.CapacityForSize(st.CacheClusterSize))}
		d.caches[key] = sc
	}
	served.Cache = sc.c
	settings := cache.StageSettings{CacheClusterEnabled: true, MethodSettings: map[string]cache.MethodSetting{}}
	for k, ms := range st.MethodSettings {
		settings.MethodSettings[k] = cache.MethodSetting{CachingEnabled: ms.CachingEnabled, CacheTTLInSeconds: ms.CacheTTLInSeconds,
			RequireAuthorizationForCacheControl:    ms.RequireAuthorizationForCacheControl,
			UnauthorizedCacheControlHeaderStrategy: cache.Strategy(ms.UnauthorizedCacheControlHeaderStrategy)}
	}
	served.methodCache = map[*pipeline.Method]*MethodCache{}
	for _, m := range served.Deployment.methods {
		s := cache.Resolve(settings, m.Info.ResourcePath, m.Info.HTTPMethod)
		if !s.Enabled {
			continue
		}
		kb, err := cache.NewKeyBuilder(cache.KeyConfig{Stage: apiID + "/" + st.StageName, Namespace: m.Info.CacheNamespace,
			Method: m.Info.HTTPMethod, Parameters: m.Info.CacheKeyParameters})
		if err != nil {
			return fmt.Errorf("cache key of %s %s: %w", m.Info.HTTPMethod, m.Info.ResourcePath, err)
		}
		served.methodCache[m] = &MethodCache{Settings: s, Keys: kb}
	}
	return nil
}

// FlushStageCache empties a stage's cache (FlushStageCache).
func (d *Deployer) FlushStageCache(apiID, stage string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if sc := d.caches[apiID+"/"+stage]; sc != nil {
		sc.c.Flush()
	}
}

// dropCaches closes the caches of an API's stages that are gone.
func (d *Deployer) dropCaches(apiID string, keep map[string]*Stage) {
	for k, sc := range d.caches {
		api, stage, _ := strings.Cut(k, "/")
		if api != apiID {
			continue
		}
		if _, ok := keep[stage]; !ok {
			sc.c.Close()
			delete(d.caches, k)
		}
	}
}
