package cache

import (
	"hash/maphash"
	"sync"
	"time"
)

// entryOverhead is what every stored entry is charged on top of its key
// and Entry.Size: the node, the map slot and the Entry header.
const entryOverhead = 192

// shardFloor is the smallest per-shard budget Memory aims for when it
// picks the shard count, so that a maximum-size entry always fits.
const shardFloor = 4 * MaxEntryBytes

// maxShards bounds the shard count.
const maxShards = 32

// Memory is an in-process Cache bounded by bytes. Keys are spread over
// shards by hash; each shard has its own lock, its own share of the byte
// budget and its own exact LRU list, so eviction is LRU per shard and
// approximately LRU overall. A hit takes one uncontended-in-practice
// shard lock and allocates nothing.
type Memory struct {
	seed   maphash.Seed
	mask   uint64
	now    func() time.Time
	shards []shard
}

var _ Cache = (*Memory)(nil)

// Option configures NewMemory.
type Option func(*memoryOptions)

type memoryOptions struct {
	now    func() time.Time
	shards int
}

// WithClock sets the clock Put uses to turn a TTL into an expiry time
// (default time.Now). Get uses the now its caller passes.
func WithClock(now func() time.Time) Option {
	return func(o *memoryOptions) { o.now = now }
}

// WithShards sets the number of shards, rounded down to a power of two
// in 1..32. By default Memory uses as many shards (up to 32) as keep at
// least 4 MiB per shard, so a small cache has one shard and exact LRU.
func WithShards(n int) Option {
	return func(o *memoryOptions) { o.shards = n }
}

// NewMemory returns an empty Memory holding at most capacityBytes
// (entries are charged key, headers, body and a fixed overhead). A
// capacity <= 0 stores nothing.
func NewMemory(capacityBytes int64, opts ...Option) *Memory {
	o := memoryOptions{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	n := o.shards
	if n <= 0 {
		n = 1
		for n < maxShards && capacityBytes/int64(n*2) >= shardFloor {
			n *= 2
		}
	}
	n = min(n, maxShards)
	for n&(n-1) != 0 {
		n &= n - 1
	}
	m := &Memory{seed: maphash.MakeSeed(), mask: uint64(n - 1), now: o.now, shards: make([]shard, n)}
	per := max(capacityBytes, 0) / int64(n)
	for i := range m.shards {
		m.shards[i].init(per)
	}
	return m
}

func (m *Memory) shard(k Key) *shard {
	return &m.shards[maphash.String(m.seed, k.s)&m.mask]
}

// Get implements Cache. An expired entry is removed and reported as a
// miss.
func (m *Memory) Get(key Key, now time.Time) (*Entry, bool) {
	s := m.shard(key)
	t := now.UnixNano()
	s.mu.Lock()
	n, ok := s.items[key.s]
	if !ok {
		s.stats.Misses++
		s.mu.Unlock()
		return nil, false
	}
	if t >= n.expires {
		s.remove(n)
		s.stats.Misses++
		s.stats.Expired++
		s.mu.Unlock()
		return nil, false
	}
	s.toFront(n)
	s.stats.Hits++
	e := n.entry
	s.mu.Unlock()
	return e, true
}

// Put implements Cache. It evicts least recently used entries of the
// key's shard until the new entry fits; an entry larger than a shard's
// whole budget is not stored.
func (m *Memory) Put(key Key, e *Entry, ttl time.Duration) {
	if e == nil || ttl <= 0 || len(e.Body) > MaxEntryBytes {
		return
	}
	cost := int64(len(key.s)) + e.Size() + entryOverhead
	s := m.shard(key)
	if cost > s.capacity {
		return
	}
	expires := m.now().Add(ttl).UnixNano()
	s.mu.Lock()
	if old, ok := s.items[key.s]; ok {
		s.remove(old)
	}
	for s.used+cost > s.capacity && s.root.prev != &s.root {
		s.remove(s.root.prev)
		s.stats.Evicted++
	}
	n := &node{key: key.s, entry: e, expires: expires, cost: cost}
	s.items[key.s] = n
	s.used += cost
	s.pushFront(n)
	s.mu.Unlock()
}

// Flush implements Cache.
func (m *Memory) Flush() {
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		s.reset()
		s.mu.Unlock()
	}
}

// Len implements Cache.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.items)
		s.mu.Unlock()
	}
	return n
}

// Bytes reports the bytes charged for the entries held.
func (m *Memory) Bytes() int64 {
	var n int64
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += s.used
		s.mu.Unlock()
	}
	return n
}

// Capacity reports the byte budget over all shards.
func (m *Memory) Capacity() int64 {
	return m.shards[0].capacity * int64(len(m.shards))
}

// Stats counts cache events since NewMemory (Flush does not reset them).
type Stats struct {
	Hits, Misses, Expired, Evicted uint64
}

// Stats sums the counters of every shard.
func (m *Memory) Stats() Stats {
	var st Stats
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		st.Hits += s.stats.Hits
		st.Misses += s.stats.Misses
		st.Expired += s.stats.Expired
		st.Evicted += s.stats.Evicted
		s.mu.Unlock()
	}
	return st
}

// Close implements Cache; it empties the cache.
func (m *Memory) Close() error {
	m.Flush()
	return nil
}

// node is one entry in a shard's map and LRU list.
type node struct {
	prev, next *node
	key        string
	entry      *Entry
	expires    int64 // unix nanoseconds
	cost       int64
}

// shard is one lock's worth of the cache. root is the sentinel of a
// circular list: root.next is the most recently used node.
type shard struct {
	mu       sync.Mutex
	items    map[string]*node
	root     node
	used     int64
	capacity int64
	stats    Stats
	_        [64]byte // keep neighbouring shards' locks off one cache line
}

func (s *shard) init(capacity int64) {
	s.capacity = capacity
	s.reset()
}

func (s *shard) reset() {
	s.items = make(map[string]*node)
	s.root.next, s.root.prev = &s.root, &s.root
	s.used = 0
}

func (s *shard) pushFront(n *node) {
	n.prev, n.next = &s.root, s.root.next
	s.root.next.prev = n
	s.root.next = n
}

func (s *shard) unlink(n *node) {
	n.prev.next = n.next
	n.next.prev = n.prev
	n.prev, n.next = nil, nil
}

func (s *shard) toFront(n *node) {
	if s.root.next == n {
		return
	}
	s.unlink(n)
	s.pushFront(n)
}

func (s *shard) remove(n *node) {
	s.unlink(n)
	delete(s.items, n.key)
	s.used -= n.cost
}
