// Package store is the durable key/value home of Portico's model: the
// Store interface every backend implements, its errors, an in-memory
// backend for `portico serve --in-memory` and tests, and (in storetest)
// the conformance suite every backend must pass.
//
// The store knows keys, values and revisions, nothing more. It must not
// know the API Gateway model: keys such as restapis/{id}/resources/{rid}
// are built and parsed by the management plane, values are opaque bytes,
// and validation happens before a value reaches Put.
//
// # Keys, values and ownership
//
// Keys are non-empty '/'-separated strings compared byte-wise; List and
// Watch select keys by plain string prefix, so callers end a prefix with
// '/' when they mean a subtree ("restapis/a1/" does not match
// "restapis/a10/x"). Values are copied on Put and on every read: a slice
// passed to Put may be reused, and a slice returned by Get or List belongs
// to the caller. The watchers of one revision share its events: treat
// Event.Value as read-only.
//
// # Transactions
//
// View runs fn on a consistent snapshot; Update runs fn in a serialised
// read-write transaction that sees its own writes. If fn returns an
// error, nothing it wrote is stored and Update returns that error
// unchanged (errors.Is works). If fn panics, the transaction is rolled
// back, the store stays usable and the panic propagates to the caller of
// View or Update. A Tx is valid only while fn runs; using it afterwards
// returns ErrTxDone. fn must not call back into the Store (no nested
// View, Update or Close): that may deadlock.
//
// Both calls check ctx before starting, and an Update waiting for its
// turn to write gives up when ctx ends; once fn runs, the transaction
// completes and ctx is no longer consulted (fn may check it itself).
//
// # Revisions
//
// The store has one revision counter. Every Update that changes at least
// one key commits as the next revision (the previous one plus one); an
// Update that changes nothing (only reads, or deletes of absent keys)
// does not create a revision. Durable backends persist the counter with
// the data, so it never goes backwards across restarts. Tx.Rev reports
// the revision a transaction reads from, and KV.Rev the revision that
// last wrote a key.
//
// # Watch
//
// Watch(ctx, prefix, rev) delivers every change committed after rev to a
// key under prefix, in revision order; the events of one revision are in
// key order and are delivered together. Backends keep only recent history:
// if rev is older than that, Watch returns ErrCompacted and the caller
// reads the current state with View and watches from that View's Rev.
//
// The channel is closed when ctx ends, when the store closes, or when the
// watcher falls too far behind (its buffer is full when a revision must
// be delivered): writers never wait for watchers. A closed channel with
// ctx still live means "resume": call Watch again with the Rev of the
// last event received (ErrClosed then says the store is gone).
package store

import (
	"context"
	"errors"
)

// Store is the durable home of the model. Implementations are safe for
// concurrent use.
type Store interface {
	// View runs fn in a read-only transaction on a consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction and commits it if fn
	// returns nil. Update returns nil only once the write is on disk.
	Update(ctx context.Context, fn func(Tx) error) error
	// Watch reports committed changes under prefix after rev.
	Watch(ctx context.Context, prefix string, rev int64) (<-chan Event, error)
	// Close waits for running transactions, closes every watch channel
	// and releases the store. Later calls return ErrClosed; a second
	// Close returns nil.
	Close() error
}

// Tx is one transaction, valid only while the function passed to View or
// Update runs.
type Tx interface {
	// Get returns the value of key, or ErrNotFound.
	Get(key string) ([]byte, error)
	// Put sets key to value. ErrReadOnly in a View.
	Put(key string, value []byte) error
	// Delete removes key; deleting an absent key is not an error.
	// ErrReadOnly in a View.
	Delete(key string) error
	// DeletePrefix removes every key starting with prefix and returns how
	// many it removed. An empty prefix is ErrInvalidKey, so a missing id
	// can never wipe the store. ErrReadOnly in a View.
	DeletePrefix(prefix string) (int, error)
	// List returns the keys with prefix that sort strictly after `after`,
	// in key order, at most limit of them (limit <= 0: all). To page,
	// pass the last key of one page as `after` of the next.
	List(prefix, after string, limit int) ([]KV, error)
	// Rev is the revision this transaction reads from: the last
	// committed revision when it began (0 for an empty, new store).
	Rev() int64
}

// KV is one stored key with its value and the revision that last wrote it.
type KV struct {
	Key   string
	Value []byte
	Rev   int64
}

// EventType says whether an Event sets or removes a key.
type EventType int

// The event types.
const (
	EventPut EventType = iota + 1
	EventDelete
)

// String returns "PUT" or "DELETE".
func (t EventType) String() string {
	switch t {
	case EventPut:
		return "PUT"
	case EventDelete:
		return "DELETE"
	}
	return "EventType(?)"
}

// Event is one committed change to one key. Value is nil for EventDelete.
// A key written several times in one Update yields one event with its
// final state; a key created and deleted in the same Update yields none.
type Event struct {
	Type  EventType
	Key   string
	Value []byte
	Rev   int64
}

// Errors returned by every backend; test them with errors.Is.
var (
	// ErrNotFound is returned by Tx.Get for an absent key.
	ErrNotFound = errors.New("store: key not found")
	// ErrClosed is returned by every call on a closed Store.
	ErrClosed = errors.New("store: closed")
	// ErrCompacted is returned by Watch when rev is older than the
	// history the backend keeps.
	ErrCompacted = errors.New("store: revision compacted")
	// ErrReadOnly is returned by writes in a View transaction.
	ErrReadOnly = errors.New("store: write in a read-only transaction")
	// ErrTxDone is returned by a Tx used after its function returned.
	ErrTxDone = errors.New("store: transaction is finished")
	// ErrInvalidKey is returned for an empty key (Put, Delete), an empty
	// prefix (DeletePrefix) or a negative Watch revision.
	ErrInvalidKey = errors.New("store: invalid key")
)
