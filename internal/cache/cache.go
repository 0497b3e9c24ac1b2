package cache

import (
	"net/http"
	"time"
)

// MaxEntryBytes is the largest response body the cache stores
// (integrations-v1.md §12: "Maximum cacheable response size: 1 048 576
// bytes"). Put ignores entries whose Body is longer.
const MaxEntryBytes = 1 << 20

// Entry is one cached method response: the final status, headers and
// body as the client received them (integrations-v1.md §12, "What is
// cached" [inferred]).
//
// An Entry handed to Put belongs to the cache from then on and an Entry
// returned by Get is shared by every reader: neither may be modified.
type Entry struct {
	Status int
	Header http.Header
	Body   []byte
}

// Size is the number of bytes the entry is charged for: body plus
// header names and values.
func (e *Entry) Size() int64 {
	n := int64(len(e.Body))
	for k, vs := range e.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// Key identifies one cache entry. Build it with a KeyBuilder; the zero
// Key is valid and distinct from every built key.
type Key struct{ s string }

// String returns the key's bytes, unambiguous and stable across
// processes, for caches that ship keys elsewhere.
func (k Key) String() string { return k.s }

// Cache is a stage cache. Implementations are safe for concurrent use.
type Cache interface {
	// Get returns the entry stored under key if it has not expired at
	// now. The returned entry must not be modified.
	Get(key Key, now time.Time) (*Entry, bool)
	// Put stores e under key for ttl, replacing any previous entry.
	// Entries with a Body over MaxEntryBytes, a nil e or ttl <= 0 are
	// not stored (best effort, integrations-v1.md §12).
	Put(key Key, e *Entry, ttl time.Duration)
	// Flush removes every entry (FlushStageCache).
	Flush()
	// Len reports the number of entries held, expired ones included
	// until they are noticed.
	Len() int
	// Close releases the cache; a closed cache must not be used.
	Close() error
}
