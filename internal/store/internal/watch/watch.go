// Package watch holds what the store backends without a native watch
// share: the fan-out of committed revisions to watchers with a bounded
// history (Feed), and the reduction of a transaction's writes to one
// change per key (Changes). It knows nothing of what keys mean.
package watch

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// Config configures a Feed.
type Config[E any] struct {
	Key          func(E) string // the key of an event, matched against watch prefixes
	Rev          int64          // the store's revision when the Feed starts
	History      int            // revisions kept for late watchers
	Buffer       int            // channel capacity of each watcher beyond its replay
	ErrClosed    error          // returned by Watch after Close
	ErrCompacted error          // returned by Watch for a revision older than the history
}

// Feed fans committed revisions out to watchers. Publish must be called
// in revision order, by one writer at a time.
type Feed[E any] struct {
	cfg Config[E]

	mu        sync.Mutex
	closed    bool
	compacted int64      // every revision after this one is in history
	history   []batch[E] // oldest first
	subs      map[*sub[E]]struct{}
}

type batch[E any] struct {
	rev    int64
	events []E
}

type sub[E any] struct {
	prefix string
	after  int64
	ch     chan E
	stop   func() bool // stops the context watcher
}

// New returns a Feed whose history starts after cfg.Rev.
func New[E any](cfg Config[E]) *Feed[E] {
	return &Feed[E]{cfg: cfg, compacted: cfg.Rev, subs: map[*sub[E]]struct{}{}}
}

// Watch registers a watcher of the events under prefix committed after
// rev. The events still in history are queued at once; the channel has
// room for Buffer more.
func (f *Feed[E]) Watch(ctx context.Context, prefix string, rev int64) (<-chan E, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, f.cfg.ErrClosed
	}
	if rev < f.compacted {
		return nil, f.cfg.ErrCompacted
	}
	n := 0
	for _, b := range f.history {
		if b.rev > rev {
			n += f.count(b.events, prefix)
		}
	}
	s := &sub[E]{prefix: prefix, after: rev, ch: make(chan E, f.cfg.Buffer+n)}
	for _, b := range f.history {
		if b.rev > rev {
			f.send(s, b.events)
		}
	}
	f.subs[s] = struct{}{}
	s.stop = context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.drop(s)
	})
	return s.ch, nil
}

// Publish records the events of revision rev and delivers them. A
// watcher without room for all of its events of rev is dropped: its
// channel is closed, so it resumes from the last revision it received.
func (f *Feed[E]) Publish(rev int64, events []E) {
	if len(events) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	if f.cfg.History > 0 {
		f.history = append(f.history, batch[E]{rev: rev, events: events})
		for len(f.history) > f.cfg.History {
			f.compacted = f.history[0].rev
			f.history[0] = batch[E]{}
			f.history = f.history[1:]
		}
	} else {
		f.compacted = rev
	}
	for s := range f.subs {
		if rev <= s.after {
			continue // the watcher started from rev or later
		}
		n := f.count(events, s.prefix)
		switch {
		case n == 0:
		case cap(s.ch)-len(s.ch) < n:
			f.drop(s)
		default:
			f.send(s, events)
		}
	}
}

// Close closes every watcher's channel; later Watch calls fail.
func (f *Feed[E]) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		f.drop(s)
	}
	f.history = nil
}

// Watchers reports how many watchers are registered.
func (f *Feed[E]) Watchers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *Feed[E]) count(events []E, prefix string) int {
	n := 0
	for _, e := range events {
		if strings.HasPrefix(f.cfg.Key(e), prefix) {
			n++
		}
	}
	return n
}

// send queues the matching events; the caller has checked the room.
func (f *Feed[E]) send(s *sub[E], events []E) {
	for _, e := range events {
		if strings.HasPrefix(f.cfg.Key(e), s.prefix) {
			s.ch <- e
		}
	}
}

// drop closes s's channel once; f.mu is held.
func (f *Feed[E]) drop(s *sub[E]) {
	if _, ok := f.subs[s]; !ok {
		return
	}
	delete(f.subs, s)
	if s.stop != nil {
		s.stop()
	}
	close(s.ch)
}

// Change is the final state of one key written by a transaction.
type Change struct {
	Key     string
	Value   []byte // nil when Deleted
	Deleted bool
}

// Changes reduces a transaction's writes to one Change per key.
type Changes struct {
	m map[string]*change
}

type change struct {
	value   []byte
	deleted bool
	existed bool // the key existed when the transaction began
}

// Put records that key was set to value; existed says whether key
// existed just before this write.
func (c *Changes) Put(key string, value []byte, existed bool) {
	c.touch(key, existed, value, false)
}

// Delete records that key was removed; existed says whether key existed
// just before this delete.
func (c *Changes) Delete(key string, existed bool) {
	c.touch(key, existed, nil, true)
}

func (c *Changes) touch(key string, existed bool, value []byte, deleted bool) {
	if c.m == nil {
		c.m = map[string]*change{}
	}
	ch, ok := c.m[key]
	if !ok {
		ch = &change{existed: existed}
		c.m[key] = ch
	}
	ch.value, ch.deleted = value, deleted
}

// Empty reports whether the transaction changed nothing.
func (c *Changes) Empty() bool {
	for _, ch := range c.m {
		if !ch.deleted || ch.existed {
			return false
		}
	}
	return true
}

// Sorted returns the changes in key order, leaving out keys created and
// deleted by the same transaction.
func (c *Changes) Sorted() []Change {
	out := make([]Change, 0, len(c.m))
	for k, ch := range c.m {
		if ch.deleted && !ch.existed {
			continue
		}
		out = append(out, Change{Key: k, Value: ch.value, Deleted: ch.deleted})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Reset forgets every change, keeping the map for reuse.
func (c *Changes) Reset() { clear(c.m) }
