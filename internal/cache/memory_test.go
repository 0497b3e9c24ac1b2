package cache

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is an injected, manually advanced clock.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *clock) Advance(d time.Duration) { c.t.Add(int64(d)) }

func entry(body string) *Entry {
	return &Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func key(s string) Key { return Key{s} }

func TestTTL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		ttl   time.Duration
		after time.Duration
		hit   bool
	}{
		{"entry is served before its ttl", 300 * time.Second, 299 * time.Second, true},
		{"entry expires at its ttl", 300 * time.Second, 300 * time.Second, false},
		{"entry expires after its ttl", 5 * time.Second, time.Hour, false},
		{"max ttl 3600 is served just before expiry", MaxTTLSeconds * time.Second, 3599 * time.Second, true},
		{"ttl 0 disables caching: not stored", 0, 0, false},
		{"negative ttl is not stored", -time.Second, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			m := NewMemory(1<<20, WithClock(clk.Now))
			m.Put(key("k"), entry("v"), tc.ttl)
			clk.Advance(tc.after)
			e, ok := m.Get(key("k"), clk.Now())
			if ok != tc.hit {
				t.Fatalf("hit = %v, want %v", ok, tc.hit)
			}
			if ok && string(e.Body) != "v" {
				t.Fatalf("body %q", e.Body)
			}
			if !tc.hit && m.Len() != 0 {
				t.Fatalf("expired or unstored entry still held: Len %d", m.Len())
			}
		})
	}
}

// cost is what Put charges for an entry made by entry(body) under k.
func cost(k, body string) int64 {
	return int64(len(k)) + entry(body).Size() + entryOverhead
}

func TestSizeBoundLRU(t *testing.T) {
	t.Parallel()
	body := string(make([]byte, 1000))
	per := cost("a", body)
	m := NewMemory(3 * per) // one shard: exact LRU
	now := time.Now()
	for _, k := range []string{"a", "b", "c"} {
		m.Put(key(k), entry(body), time.Minute)
	}
	if m.Len() != 3 || m.Bytes() != 3*per {
		t.Fatalf("Len %d Bytes %d, want 3 and %d", m.Len(), m.Bytes(), 3*per)
	}
	if _, ok := m.Get(key("a"), now); !ok { // a becomes most recent; b is least
		t.Fatal("a missing")
	}
	m.Put(key("d"), entry(body), time.Minute)
	for _, tc := range []struct {
		name string
		k    string
		hit  bool
	}{
		{"least recently used is evicted", "b", false},
		{"recently read entry survives", "a", true},
		{"untouched newer entry survives", "c", true},
		{"new entry is stored", "d", true},
	} {
		if _, ok := m.Get(key(tc.k), now); ok != tc.hit {
			t.Errorf("%s: Get(%s) hit = %v, want %v", tc.name, tc.k, ok, tc.hit)
		}
	}
	if m.Bytes() > m.Capacity() {
		t.Fatalf("size bound: Bytes %d > Capacity %d", m.Bytes(), m.Capacity())
	}
	if st := m.Stats(); st.Evicted != 1 {
		t.Fatalf("Evicted = %d, want 1", st.Evicted)
	}
}

func TestMaxCacheableSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		size   int
		stored bool
	}{
		{"response of 1048576 bytes is stored", MaxEntryBytes, true},
		{"response over 1048576 bytes is not stored", MaxEntryBytes + 1, false},
		{"empty response is stored", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := NewMemory(CapacityForSize("0.5"))
			m.Put(key("k"), &Entry{Status: 200, Body: make([]byte, tc.size)}, time.Minute)
			if _, ok := m.Get(key("k"), time.Now()); ok != tc.stored {
				t.Fatalf("stored = %v, want %v", ok, tc.stored)
			}
		})
	}
	t.Run("entry larger than the whole cache is not stored", func(t *testing.T) {
		m := NewMemory(100)
		m.Put(key("k"), entry("0123456789"), time.Minute)
		if m.Len() != 0 || m.Bytes() != 0 {
			t.Fatalf("Len %d Bytes %d", m.Len(), m.Bytes())
		}
	})
	t.Run("nil entry is not stored", func(t *testing.T) {
		m := NewMemory(1 << 20)
		m.Put(key("k"), nil, time.Minute)
		if m.Len() != 0 {
			t.Fatal("nil stored")
		}
	})
}

func TestReplaceEntry(t *testing.T) {
	t.Parallel()
	// Cache-Control: max-age=0 from an authorized caller replaces the entry.
	m := NewMemory(1 << 20)
	m.Put(key("k"), entry("old"), time.Minute)
	m.Put(key("k"), entry("newer"), time.Minute)
	e, ok := m.Get(key("k"), time.Now())
	if !ok || string(e.Body) != "newer" {
		t.Fatalf("got %v %v", e, ok)
	}
	if m.Len() != 1 || m.Bytes() != cost("k", "newer") {
		t.Fatalf("Len %d Bytes %d, want 1 and %d", m.Len(), m.Bytes(), cost("k", "newer"))
	}
}

func TestFlushStageCache(t *testing.T) {
	t.Parallel()
	m := NewMemory(64<<20, WithShards(8))
	for i := range 100 {
		m.Put(key(strconv.Itoa(i)), entry("v"), time.Minute)
	}
	if m.Len() != 100 {
		t.Fatalf("Len %d", m.Len())
	}
	m.Flush()
	if m.Len() != 0 || m.Bytes() != 0 {
		t.Fatalf("after Flush: Len %d Bytes %d", m.Len(), m.Bytes())
	}
	if _, ok := m.Get(key("1"), time.Now()); ok {
		t.Fatal("hit after Flush")
	}
	m.Put(key("1"), entry("v"), time.Minute)
	if _, ok := m.Get(key("1"), time.Now()); !ok {
		t.Fatal("cache unusable after Flush")
	}
	if err := m.Close(); err != nil || m.Len() != 0 {
		t.Fatalf("Close: %v, Len %d", err, m.Len())
	}
}

func TestShards(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		capacity int64
		opts     []Option
		want     int
	}{
		{"small cache has one shard (exact LRU)", 1 << 20, nil, 1},
		{"0.5 GB cluster keeps 4 MiB per shard", CapacityForSize("0.5"), nil, 8},
		{"largest cluster has 32 shards", CapacityForSize("237"), nil, 32},
		{"WithShards rounds down to a power of two", 1 << 20, []Option{WithShards(12)}, 8},
		{"WithShards is capped at 32", 1 << 20, []Option{WithShards(1000)}, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMemory(tc.capacity, tc.opts...)
			if len(m.shards) != tc.want {
				t.Fatalf("shards %d, want %d", len(m.shards), tc.want)
			}
			if m.Capacity() > tc.capacity {
				t.Fatalf("Capacity %d > %d", m.Capacity(), tc.capacity)
			}
		})
	}
}

func TestCapacityForSize(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tc := range []struct {
		size string
		max  int64
		want int64
	}{
		{"0.5", DefaultMaxCapacity, 32 * mib},
		{"1.6", DefaultMaxCapacity, 16 * BytesPerGB / 10},
		{"6.1", DefaultMaxCapacity, 61 * BytesPerGB / 10},
		{"13.5", DefaultMaxCapacity, 864 * mib},
		{"28.4", DefaultMaxCapacity, DefaultMaxCapacity},
		{"58.2", DefaultMaxCapacity, DefaultMaxCapacity},
		{"118", DefaultMaxCapacity, DefaultMaxCapacity},
		{"237", DefaultMaxCapacity, DefaultMaxCapacity},
		{"237", 0, 2370 * BytesPerGB / 10},
		{"6.1", 100 * mib, 100 * mib},
		{"", DefaultMaxCapacity, 32 * mib},
		{"2", DefaultMaxCapacity, 0},
		{"0.50", DefaultMaxCapacity, 0},
	} {
		t.Run(fmt.Sprintf("cacheClusterSize %q max %d", tc.size, tc.max), func(t *testing.T) {
			if got := CapacityForSizeMax(tc.size, tc.max); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
			if tc.max == DefaultMaxCapacity && CapacityForSize(tc.size) != tc.want {
				t.Fatal("CapacityForSize differs from CapacityForSizeMax with the default cap")
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	clk := newClock()
	m := NewMemory(64<<10, WithShards(4), WithClock(clk.Now))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := key(strconv.Itoa((g*7919 + i) % 300))
				switch i % 500 {
				case 0:
					m.Flush()
				case 1, 101, 201, 301, 401:
					clk.Advance(time.Second)
				case 2:
					_ = m.Len()
					_ = m.Stats()
				}
				if e, ok := m.Get(k, clk.Now()); ok {
					if e.Status != 200 || len(e.Body) != 100 {
						t.Errorf("corrupt entry %+v", e)
						return
					}
					continue
				}
				m.Put(k, &Entry{Status: 200, Body: make([]byte, 100)}, 30*time.Second)
			}
		})
	}
	wg.Wait()
	if m.Bytes() > m.Capacity() {
		t.Fatalf("size bound broken: Bytes %d > Capacity %d", m.Bytes(), m.Capacity())
	}
	// Every lookup is counted once, hit or miss (whether any hit happens
	// depends on the interleaving, so it is not asserted here).
	if st := m.Stats(); st.Hits+st.Misses != 8*2000 || st.Misses == 0 {
		t.Fatalf("stats %+v", st)
	}
	k := key("after")
	m.Put(k, &Entry{Status: 200, Body: make([]byte, 100)}, 30*time.Second)
	if _, ok := m.Get(k, clk.Now()); !ok || m.Stats().Hits == 0 {
		t.Fatalf("no hit after the concurrent phase: %+v", m.Stats())
	}
}

func TestHitAllocatesNothing(t *testing.T) {
	m := NewMemory(CapacityForSize("0.5"))
	k := key("stage\x00ns\x00type=admin")
	m.Put(k, entry(`{"ok":true}`), time.Minute)
	now := time.Now()
	if n := testing.AllocsPerRun(1000, func() {
		if _, ok := m.Get(k, now); !ok {
			t.Fatal("miss")
		}
	}); n != 0 {
		t.Fatalf("hit allocates %v times, want 0", n)
	}
	// Budget: a hit must take far less than 30 µs.
	const runs = 10000
	start := time.Now()
	for range runs {
		m.Get(k, now)
	}
	if per := time.Since(start) / runs; per > 30*time.Microsecond {
		t.Fatalf("hit takes %v, budget 30µs", per)
	}
}

func BenchmarkHit(b *testing.B) {
	m := NewMemory(CapacityForSize("0.5"))
	keys := make([]Key, 1024)
	for i := range keys {
		keys[i] = key("prod\x00resource" + strconv.Itoa(i))
		m.Put(keys[i], entry(`{"id":1,"name":"rex"}`), time.Hour)
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := m.Get(keys[i&1023], now); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

func BenchmarkHitParallel(b *testing.B) {
	m := NewMemory(CapacityForSize("6.1"))
	keys := make([]Key, 1024)
	for i := range keys {
		keys[i] = key("prod\x00resource" + strconv.Itoa(i))
		m.Put(keys[i], entry(`{"id":1,"name":"rex"}`), time.Hour)
	}
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.Get(keys[i&1023], now)
			i += 7
		}
	})
}

func BenchmarkMissPut(b *testing.B) {
	m := NewMemory(4 << 20) // small: Put evicts in steady state
	keys := make([]Key, 1<<16)
	for i := range keys {
		keys[i] = key("prod\x00resource" + strconv.Itoa(i))
	}
	e := entry(`{"id":1,"name":"rex"}`)
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := keys[i&(1<<16-1)]
		if _, ok := m.Get(k, now); !ok {
			m.Put(k, e, time.Minute)
		}
		i++
	}
}
