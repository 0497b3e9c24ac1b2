// Package boltstore is the store.Store backend on a single bbolt file:
// the durable home of Portico's model on one server. Keys live sorted in
// one bucket, so List is a cursor seek; the revision counter and the file
// format version live in a meta bucket and are written in the same
// transaction as the data. An acknowledged Update has been fsynced.
//
// The file is locked while open: a second server on the same data
// directory fails Open with ErrLocked after Options.LockTimeout instead
// of waiting. Watch is an in-process fan-out of committed revisions
// with a bounded history that starts empty at Open (store package
// documentation, Watch).
//
// It knows keys, values and revisions, never the API Gateway model.
package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/internal/watch"
)

// Defaults for Options.
const (
	DefaultLockTimeout = time.Second
)

// format is the layout version written to new files; Open refuses others.
const format = "1"

var (
	bucketKV   = []byte("kv")
	bucketMeta = []byte("meta")
	keyRev     = []byte("rev")
	keyFormat  = []byte("format")
)

// errNoChange rolls back an Update that changed nothing.
var errNoChange = errors.New("no change")

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("boltstore: data file is locked by another process")

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// LockTimeout bounds the wait for the file lock held by another
	// process (zero: DefaultLockTimeout).
	LockTimeout time.Duration
	// WatchHistory is how many recent revisions Watch can replay (zero:
	// store.DefaultWatchHistory).
	WatchHistory int
	// WatchBuffer is how many events a watcher may fall behind before it
	// is dropped (zero: store.DefaultWatchBuffer).
	WatchBuffer int
}

// Store is a store.Store on one bbolt file. Safe for concurrent use.
type Store struct {
	db   *bolt.DB
	wsem chan struct{} // one writer at a time; waiting honours ctx
	feed *watch.Feed[store.Event]

	mu     sync.RWMutex // shared by transactions, exclusive in Close
	closed bool
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the store file at path, creating its parent
// directories. It fails with ErrLocked if another process has the file
// open for longer than opts.LockTimeout, and refuses files of an unknown
// format.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.WatchHistory <= 0 {
		opts.WatchHistory = store.DefaultWatchHistory
	}
	if opts.WatchBuffer <= 0 {
		opts.WatchBuffer = store.DefaultWatchBuffer
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: create data directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s still locked after %v (is another portico server using this data directory?)",
			ErrLocked, path, opts.LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	var rev int64
	err = db.Update(func(btx *bolt.Tx) error {
		meta, err := btx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if _, err := btx.CreateBucketIfNotExists(bucketKV); err != nil {
			return err
		}
		switch f := meta.Get(keyFormat); {
		case f == nil:
			if err := meta.Put(keyFormat, []byte(format)); err != nil {
				return err
			}
		case string(f) != format:
			return fmt.Errorf("unknown file format %q (this portico reads %q)", f, format)
		}
		rev, err = readRev(meta)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	return &Store{
		db:   db,
		wsem: make(chan struct{}, 1),
		feed: watch.New(watch.Config[store.Event]{
			Key:          func(e store.Event) string { return e.Key },
			Rev:          rev,
			History:      opts.WatchHistory,
			Buffer:       opts.WatchBuffer,
			ErrClosed:    store.ErrClosed,
			ErrCompacted: store.ErrCompacted,
		}),
	}, nil
}

// Path is the file the store was opened on.
func (s *Store) Path() string { return s.db.Path() }

// View runs fn on a consistent snapshot; see store.Store. A View that
// stays open can delay an Update that needs to grow the file.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return s.db.View(func(btx *bolt.Tx) error {
		t, err := newTx(btx, false)
		if err != nil {
			return err
		}
		defer func() { t.done = true }()
		return fn(t)
	})
}

// Update runs fn in a read-write transaction and returns once the commit
// is fsynced; see store.Store. A panic in fn rolls back and propagates.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wsem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	var (
		fnErr  error
		rev    int64
		events []store.Event
	)
	err := s.db.Update(func(btx *bolt.Tx) error {
		t, err := newTx(btx, true)
		if err != nil {
			return err
		}
		defer func() { t.done = true }()
		if fnErr = fn(t); fnErr != nil {
			return fnErr
		}
		if t.changes.Empty() {
			return errNoChange // roll back: nothing to write or fsync
		}
		rev = t.rev + 1
		if err := t.meta.Put(keyRev, binary.BigEndian.AppendUint64(nil, uint64(rev))); err != nil {
			return err
		}
		events = eventsOf(t.changes.Sorted(), rev)
		return nil
	})
	switch {
	case fnErr != nil:
		return fnErr
	case errors.Is(err, errNoChange):
		return nil
	case err != nil:
		return fmt.Errorf("boltstore: commit: %w", err)
	}
	s.feed.Publish(rev, events)
	return nil
}

// Watch reports changes under prefix after rev; see store.Store. History
// starts at the revision the file had when opened.
func (s *Store) Watch(ctx context.Context, prefix string, rev int64) (<-chan store.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rev < 0 {
		return nil, fmt.Errorf("watch from revision %d: %w", rev, store.ErrInvalidKey)
	}
	return s.feed.Watch(ctx, prefix, rev)
}

// Close waits for running transactions, closes every watch channel and
// the file. A second Close returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.feed.Close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

func readRev(meta *bolt.Bucket) (int64, error) {
	v := meta.Get(keyRev)
	switch len(v) {
	case 0:
		return 0, nil
	case 8:
		return int64(binary.BigEndian.Uint64(v)), nil
	}
	return 0, fmt.Errorf("corrupt revision counter (%d bytes)", len(v))
}

// eventsOf turns a commit's changes into its events. The values are the
// buffers Put allocated, which nothing else references after the commit.
func eventsOf(cs []watch.Change, rev int64) []store.Event {
	evs := make([]store.Event, len(cs))
	for i, c := range cs {
		evs[i] = store.Event{Type: store.EventPut, Key: c.Key, Value: c.Value, Rev: rev}
		if c.Deleted {
			evs[i].Type = store.EventDelete
			evs[i].Value = nil
		}
	}
	return evs
}

// A stored value is the big-endian revision that wrote it, then the bytes.
const revLen = 8

func decode(key, v []byte) ([]byte, int64, error) {
	if len(v) < revLen {
		return nil, 0, fmt.Errorf("boltstore: corrupt value of %q (%d bytes)", key, len(v))
	}
	return bytes.Clone(v[revLen:]), int64(binary.BigEndian.Uint64(v)), nil
}

// tx is one bolt transaction seen through store.Tx.
type tx struct {
	btx     *bolt.Tx
	kv      *bolt.Bucket
	meta    *bolt.Bucket
	rev     int64
	write   bool
	done    bool
	changes watch.Changes
}

func newTx(btx *bolt.Tx, write bool) (*tx, error) {
	t := &tx{btx: btx, kv: btx.Bucket(bucketKV), meta: btx.Bucket(bucketMeta), write: write}
	if t.kv == nil || t.meta == nil {
		return nil, errors.New("boltstore: buckets missing")
	}
	var err error
	t.rev, err = readRev(t.meta)
	return t, err
}

func (t *tx) check(write bool) error {
	switch {
	case t.done:
		return store.ErrTxDone
	case write && !t.write:
		return store.ErrReadOnly
	}
	return nil
}

func (t *tx) Rev() int64 { return t.rev }

func (t *tx) Get(key string) ([]byte, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	k := []byte(key)
	v := t.kv.Get(k)
	if v == nil {
		return nil, store.ErrNotFound
	}
	val, _, err := decode(k, v)
	if val == nil && err == nil {
		val = []byte{}
	}
	return val, err
}

func (t *tx) Put(key string, value []byte) error {
	if err := t.check(true); err != nil {
		return err
	}
	if key == "" {
		return store.ErrInvalidKey
	}
	k := []byte(key)
	existed := t.kv.Get(k) != nil
	// bolt keeps referencing buf until the commit; it is never reused.
	buf := make([]byte, revLen+len(value))
	binary.BigEndian.PutUint64(buf, uint64(t.rev+1))
	copy(buf[revLen:], value)
	if err := t.kv.Put(k, buf); err != nil {
		return fmt.Errorf("boltstore: put %q: %w", key, err)
	}
	t.changes.Put(key, buf[revLen:], existed)
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.check(true); err != nil {
		return err
	}
	if key == "" {
		return store.ErrInvalidKey
	}
	k := []byte(key)
	if t.kv.Get(k) == nil {
		return nil
	}
	if err := t.kv.Delete(k); err != nil {
		return fmt.Errorf("boltstore: delete %q: %w", key, err)
	}
	t.changes.Delete(key, true)
	return nil
}

func (t *tx) DeletePrefix(prefix string) (int, error) {
	if err := t.check(true); err != nil {
		return 0, err
	}
	if prefix == "" {
		return 0, store.ErrInvalidKey
	}
	p := []byte(prefix)
	// Collect first: deleting under a live cursor can skip keys.
	var doomed [][]byte
	c := t.kv.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		doomed = append(doomed, bytes.Clone(k))
	}
	for _, k := range doomed {
		if err := t.kv.Delete(k); err != nil {
			return 0, fmt.Errorf("boltstore: delete %q: %w", k, err)
		}
		t.changes.Delete(string(k), true)
	}
	return len(doomed), nil
}

func (t *tx) List(prefix, after string, limit int) ([]store.KV, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	p := []byte(prefix)
	c := t.kv.Cursor()
	var k, v []byte
	if after >= prefix {
		k, v = c.Seek([]byte(after))
		if k != nil && string(k) == after {
			k, v = c.Next()
		}
	} else {
		k, v = c.Seek(p)
	}
	var out []store.KV
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if limit > 0 && len(out) == limit {
			break
		}
		val, rev, err := decode(k, v)
		if err != nil {
			return nil, err
		}
		if val == nil {
			val = []byte{}
		}
		out = append(out, store.KV{Key: string(k), Value: val, Rev: rev})
	}
	return out, nil
}
