package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/portico-dev/portico/internal/store/internal/watch"
)

// Defaults shared by the backends that keep their own watch history.
const (
	// DefaultWatchHistory is how many recent revisions a backend keeps
	// for watchers that start behind.
	DefaultWatchHistory = 1000
	// DefaultWatchBuffer is how many events a watcher may fall behind
	// before it is dropped.
	DefaultWatchBuffer = 256
)

// Memory is a Store that keeps everything in memory: same semantics as
// the durable backends, nothing survives Close. Views run concurrently
// with each other; an Update excludes Views while it runs.
type Memory struct {
	wsem chan struct{} // one writer at a time; waiting honours ctx
	feed *watch.Feed[Event]

	mu     sync.RWMutex
	closed bool
	rev    int64
	keys   []string // sorted
	vals   map[string]memEntry
}

type memEntry struct {
	value []byte
	rev   int64
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory Store at revision 0.
func NewMemory() *Memory {
	return &Memory{
		wsem: make(chan struct{}, 1),
		vals: map[string]memEntry{},
		feed: watch.New(watch.Config[Event]{
			Key:          func(e Event) string { return e.Key },
			History:      DefaultWatchHistory,
			Buffer:       DefaultWatchBuffer,
			ErrClosed:    ErrClosed,
			ErrCompacted: ErrCompacted,
		}),
	}
}

// View runs fn on the current state; see Store.
func (m *Memory) View(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, rev: m.rev}
	defer func() { tx.done = true }()
	return fn(tx)
}

// Update runs fn in a read-write transaction; see Store.
func (m *Memory) Update(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case m.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-m.wsem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, rev: m.rev, write: true}
	committed := false
	defer func() {
		tx.done = true
		if !committed {
			tx.rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	if tx.changes.Empty() {
		return nil
	}
	m.rev++
	m.feed.Publish(m.rev, eventsOf(tx.changes.Sorted(), m.rev))
	return nil
}

// Watch reports changes under prefix after rev; see Store.
func (m *Memory) Watch(ctx context.Context, prefix string, rev int64) (<-chan Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rev < 0 {
		return nil, fmt.Errorf("watch from revision %d: %w", rev, ErrInvalidKey)
	}
	return m.feed.Watch(ctx, prefix, rev)
}

// Close drops the data and closes every watch channel.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	m.keys, m.vals = nil, nil
	m.feed.Close()
	return nil
}

// eventsOf turns a transaction's changes into the events of rev. Values
// are copied once, so watchers never share memory with the store.
func eventsOf(cs []watch.Change, rev int64) []Event {
	evs := make([]Event, len(cs))
	for i, c := range cs {
		evs[i] = Event{Type: EventPut, Key: c.Key, Rev: rev}
		if c.Deleted {
			evs[i].Type = EventDelete
		} else {
			evs[i].Value = clone(c.Value)
		}
	}
	return evs
}

func clone(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return append(make([]byte, 0, len(b)), b...)
}

// memTx is a Memory transaction. An Update applies its writes in place
// and keeps an undo log, so a failed or panicking fn is rolled back.
type memTx struct {
	m       *Memory
	rev     int64
	write   bool
	done    bool
	undo    []memUndo
	changes watch.Changes
}

type memUndo struct {
	key     string
	old     memEntry
	existed bool
}

func (tx *memTx) check(write bool) error {
	switch {
	case tx.done:
		return ErrTxDone
	case write && !tx.write:
		return ErrReadOnly
	}
	return nil
}

func (tx *memTx) Rev() int64 { return tx.rev }

func (tx *memTx) Get(key string) ([]byte, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	e, ok := tx.m.vals[key]
	if !ok {
		return nil, ErrNotFound
	}
	return clone(e.value), nil
}

func (tx *memTx) Put(key string, value []byte) error {
	if err := tx.check(true); err != nil {
		return err
	}
	if key == "" {
		return ErrInvalidKey
	}
	v := clone(value)
	old, existed := tx.m.vals[key]
	tx.undo = append(tx.undo, memUndo{key: key, old: old, existed: existed})
	if !existed {
		tx.m.insertKey(key)
	}
	tx.m.vals[key] = memEntry{value: v, rev: tx.rev + 1}
	tx.changes.Put(key, v, existed)
	return nil
}

func (tx *memTx) Delete(key string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	if key == "" {
		return ErrInvalidKey
	}
	old, existed := tx.m.vals[key]
	if !existed {
		return nil
	}
	tx.undo = append(tx.undo, memUndo{key: key, old: old, existed: true})
	tx.m.removeKey(key)
	delete(tx.m.vals, key)
	tx.changes.Delete(key, true)
	return nil
}

func (tx *memTx) DeletePrefix(prefix string) (int, error) {
	if err := tx.check(true); err != nil {
		return 0, err
	}
	if prefix == "" {
		return 0, ErrInvalidKey
	}
	keys := tx.m.keys
	lo := sort.SearchStrings(keys, prefix)
	hi := lo
	for hi < len(keys) && strings.HasPrefix(keys[hi], prefix) {
		k := keys[hi]
		tx.undo = append(tx.undo, memUndo{key: k, old: tx.m.vals[k], existed: true})
		delete(tx.m.vals, k)
		tx.changes.Delete(k, true)
		hi++
	}
	tx.m.keys = append(keys[:lo], keys[hi:]...)
	return hi - lo, nil
}

func (tx *memTx) List(prefix, after string, limit int) ([]KV, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	keys := tx.m.keys
	i := sort.SearchStrings(keys, prefix)
	if after >= prefix {
		// First key strictly after `after`.
		i = sort.Search(len(keys), func(j int) bool { return keys[j] > after })
	}
	var out []KV
	for ; i < len(keys) && strings.HasPrefix(keys[i], prefix); i++ {
		if limit > 0 && len(out) == limit {
			break
		}
		e := tx.m.vals[keys[i]]
		out = append(out, KV{Key: keys[i], Value: clone(e.value), Rev: e.rev})
	}
	return out, nil
}

// rollback undoes the writes in reverse order.
func (tx *memTx) rollback() {
	m := tx.m
	for i := len(tx.undo) - 1; i >= 0; i-- {
		u := tx.undo[i]
		_, now := m.vals[u.key]
		switch {
		case u.existed:
			if !now {
				m.insertKey(u.key)
			}
			m.vals[u.key] = u.old
		case now:
			m.removeKey(u.key)
			delete(m.vals, u.key)
		}
	}
	tx.undo = nil
}

func (m *Memory) insertKey(k string) {
	i := sort.SearchStrings(m.keys, k)
	m.keys = append(m.keys, "")
	copy(m.keys[i+1:], m.keys[i:])
	m.keys[i] = k
}

func (m *Memory) removeKey(k string) {
	i := sort.SearchStrings(m.keys, k)
	if i < len(m.keys) && m.keys[i] == k {
		m.keys = append(m.keys[:i], m.keys[i+1:]...)
	}
}
