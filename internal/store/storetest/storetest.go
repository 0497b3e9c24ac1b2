// Package storetest is the conformance suite every store.Store backend
// must pass: the contract written in the store package documentation,
// one subtest per rule. It opens a fresh store per subtest and runs the
// subtests in parallel.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/store"
)

// wait bounds every wait for an event or a closed channel.
const wait = 10 * time.Second

// Run runs the conformance suite. open returns a new, empty store at
// revision 0; the suite closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"get of an absent key is ErrNotFound", testGetAbsent},
		{"put then get returns the value, put overwrites", testPutGet},
		{"delete removes, deleting an absent key is no error", testDelete},
		{"empty key and empty delete prefix are ErrInvalidKey", testInvalidKey},
		{"values are copied in and out", testValuesCopied},
		{"list selects by prefix, after and limit in key order", testList},
		{"list pages cover every key once", testListPages},
		{"delete prefix removes the subtree only", testDeletePrefix},
		{"update reads its own writes", testReadOwnWrites},
		{"fn error rolls back everything", testRollback},
		{"panic in fn propagates and rolls back", testPanic},
		{"view is read-only", testViewReadOnly},
		{"tx is finished when fn returns", testTxDone},
		{"cancelled ctx runs nothing", testCancelled},
		{"an update waiting for its turn ends with ctx", testUpdateWaitCtx},
		{"each changing update is the next revision", testRevisions},
		{"watch reports changes under prefix after rev in order", testWatch},
		{"watch events of one update are per key in key order", testWatchBatch},
		{"watch replays history after an older rev", testWatchReplay},
		{"watch rejects a negative rev", testWatchNegative},
		{"watch ends when ctx ends", testWatchCancel},
		{"watch ends when the store closes", testWatchClose},
		{"a watcher that does not read never blocks writers", testSlowWatcher},
		{"concurrent writers lose no update and views are consistent", testConcurrent},
		{"close then use is ErrClosed", testClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.fn(t, s)
		})
	}
}

func put(t *testing.T, s store.Store, kv ...string) {
	t.Helper()
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for i := 0; i+1 < len(kv); i += 2 {
			if err := tx.Put(kv[i], []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
}

func get(t *testing.T, s store.Store, key string) ([]byte, error) {
	t.Helper()
	var v []byte
	err := s.View(t.Context(), func(tx store.Tx) error {
		var err error
		v, err = tx.Get(key)
		return err
	})
	return v, err
}

func mustGet(t *testing.T, s store.Store, key, want string) {
	t.Helper()
	v, err := get(t, s, key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	if string(v) != want {
		t.Fatalf("get %q = %q, want %q", key, v, want)
	}
}

func mustAbsent(t *testing.T, s store.Store, key string) {
	t.Helper()
	if v, err := get(t, s, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get %q = %q, %v; want ErrNotFound", key, v, err)
	}
}

func list(t *testing.T, s store.Store, prefix, after string, limit int) []store.KV {
	t.Helper()
	var kvs []store.KV
	err := s.View(t.Context(), func(tx store.Tx) error {
		var err error
		kvs, err = tx.List(prefix, after, limit)
		return err
	})
	if err != nil {
		t.Fatalf("list %q after %q: %v", prefix, after, err)
	}
	return kvs
}

func keys(kvs []store.KV) []string {
	out := []string{}
	for _, kv := range kvs {
		out = append(out, kv.Key)
	}
	return out
}

func rev(t *testing.T, s store.Store) int64 {
	t.Helper()
	var r int64
	if err := s.View(t.Context(), func(tx store.Tx) error { r = tx.Rev(); return nil }); err != nil {
		t.Fatalf("view: %v", err)
	}
	return r
}

func watch(t *testing.T, s store.Store, ctx context.Context, prefix string, after int64) <-chan store.Event {
	t.Helper()
	ch, err := s.Watch(ctx, prefix, after)
	if err != nil {
		t.Fatalf("watch %q after %d: %v", prefix, after, err)
	}
	return ch
}

// recv reads n events, failing if they do not come in time.
func recv(t *testing.T, ch <-chan store.Event, n int) []store.Event {
	t.Helper()
	var out []store.Event
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for len(out) < n {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("watch closed after %d of %d events: %v", len(out), n, out)
			}
			out = append(out, e)
		case <-timer.C:
			t.Fatalf("got %d of %d events in %v: %v", len(out), n, wait, out)
		}
	}
	return out
}

// quiet checks that no event arrives for a short while.
func quiet(t *testing.T, ch <-chan store.Event) {
	t.Helper()
	select {
	case e, ok := <-ch:
		if ok {
			t.Fatalf("unexpected event %+v", e)
		}
		t.Fatal("watch closed unexpectedly")
	case <-time.After(50 * time.Millisecond):
	}
}

func mustClose(t *testing.T, ch <-chan store.Event) {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatalf("watch channel not closed within %v", wait)
		}
	}
}

type ev struct {
	typ   store.EventType
	key   string
	value string
}

func (e ev) String() string { return fmt.Sprintf("%v %s=%q", e.typ, e.key, e.value) }

func evs(es []store.Event) []ev {
	out := make([]ev, len(es))
	for i, e := range es {
		out[i] = ev{e.Type, e.Key, string(e.Value)}
	}
	return out
}

func testGetAbsent(t *testing.T, s store.Store) {
	mustAbsent(t, s, "restapis/nope")
	put(t, s, "restapis/a", "1")
	mustAbsent(t, s, "restapis")
	mustAbsent(t, s, "restapis/a/")
}

func testPutGet(t *testing.T, s store.Store) {
	put(t, s, "restapis/a", "one")
	mustGet(t, s, "restapis/a", "one")
	put(t, s, "restapis/a", "two")
	mustGet(t, s, "restapis/a", "two")
	put(t, s, "restapis/empty", "")
	v, err := get(t, s, "restapis/empty")
	if err != nil || len(v) != 0 {
		t.Fatalf("get empty value = %q, %v; want empty, nil", v, err)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.Put("restapis/nil", nil) })
	if err != nil {
		t.Fatalf("put nil: %v", err)
	}
	if v, err := get(t, s, "restapis/nil"); err != nil || len(v) != 0 {
		t.Fatalf("get nil value = %q, %v; want empty, nil", v, err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<14) // 256 KiB, bigger than a page
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.Put("restapis/big", big) })
	if err != nil {
		t.Fatalf("put big: %v", err)
	}
	if v, _ := get(t, s, "restapis/big"); !bytes.Equal(v, big) {
		t.Fatalf("big value changed: got %d bytes", len(v))
	}
}

func testDelete(t *testing.T, s store.Store) {
	put(t, s, "k/a", "1", "k/b", "2")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Delete("k/a"); err != nil {
			return err
		}
		return tx.Delete("k/never")
	})
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	mustAbsent(t, s, "k/a")
	mustGet(t, s, "k/b", "2")
}

func testInvalidKey(t *testing.T, s store.Store) {
	put(t, s, "a", "1")
	for _, tc := range []struct {
		name string
		fn   func(store.Tx) error
	}{
		{"put", func(tx store.Tx) error { return tx.Put("", []byte("x")) }},
		{"delete", func(tx store.Tx) error { return tx.Delete("") }},
		{"delete prefix", func(tx store.Tx) error { _, err := tx.DeletePrefix(""); return err }},
	} {
		if err := s.Update(t.Context(), tc.fn); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("%s with empty key: %v, want ErrInvalidKey", tc.name, err)
		}
	}
	mustGet(t, s, "a", "1")
}

func testValuesCopied(t *testing.T, s store.Store) {
	buf := []byte("original")
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.Put("k", buf) }); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXXXXX")
	mustGet(t, s, "k", "original")
	v, _ := get(t, s, "k")
	copy(v, "YYYYYYYY")
	mustGet(t, s, "k", "original")
	kvs := list(t, s, "", "", 0)
	copy(kvs[0].Value, "ZZZZZZZZ")
	mustGet(t, s, "k", "original")
}

func testList(t *testing.T, s store.Store) {
	put(t, s,
		"restapis/a1", "api",
		"restapis/a1/resources/r1", "x",
		"restapis/a1/resources/r2", "x",
		"restapis/a1/resources/r3", "x",
		"restapis/a10/resources/r1", "x",
		"restapis/b", "api",
		"restapis/B", "api",
		"restapis/a1/resources/r2/methods/GET", "x",
		"stages/s", "x",
	)
	for _, tc := range []struct {
		name          string
		prefix, after string
		limit         int
		want          []string
	}{
		{"empty prefix lists all in byte order", "", "", 0, []string{
			"restapis/B", "restapis/a1", "restapis/a1/resources/r1", "restapis/a1/resources/r2",
			"restapis/a1/resources/r2/methods/GET", "restapis/a1/resources/r3",
			"restapis/a10/resources/r1", "restapis/b", "stages/s"}},
		{"prefix ending in / is the subtree", "restapis/a1/", "", 0, []string{
			"restapis/a1/resources/r1", "restapis/a1/resources/r2",
			"restapis/a1/resources/r2/methods/GET", "restapis/a1/resources/r3"}},
		{"prefix is a plain string prefix", "restapis/a1", "", 0, []string{
			"restapis/a1", "restapis/a1/resources/r1", "restapis/a1/resources/r2",
			"restapis/a1/resources/r2/methods/GET", "restapis/a1/resources/r3",
			"restapis/a10/resources/r1"}},
		{"after is strict", "restapis/a1/", "restapis/a1/resources/r2", 0, []string{
			"restapis/a1/resources/r2/methods/GET", "restapis/a1/resources/r3"}},
		{"after need not exist", "restapis/a1/", "restapis/a1/resources/r25", 0, []string{
			"restapis/a1/resources/r3"}},
		{"after before the prefix lists from its start", "restapis/a1/", "a", 0, []string{
			"restapis/a1/resources/r1", "restapis/a1/resources/r2",
			"restapis/a1/resources/r2/methods/GET", "restapis/a1/resources/r3"}},
		{"after past the prefix lists nothing", "restapis/a1/", "restapis/b", 0, []string{}},
		{"limit caps the page", "restapis/", "", 2, []string{"restapis/B", "restapis/a1"}},
		{"limit with after", "restapis/", "restapis/a1/resources/r3", 2, []string{
			"restapis/a10/resources/r1", "restapis/b"}},
		{"negative limit is all", "stages/", "", -1, []string{"stages/s"}},
		{"limit beyond the end", "stages/", "", 10, []string{"stages/s"}},
		{"absent prefix lists nothing", "zzz/", "", 0, []string{}},
		{"prefix equal to a key includes it", "stages/s", "", 0, []string{"stages/s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := list(t, s, tc.prefix, tc.after, tc.limit)
			if !slices.Equal(keys(got), tc.want) {
				t.Fatalf("list(%q, %q, %d) = %q, want %q", tc.prefix, tc.after, tc.limit, keys(got), tc.want)
			}
			for _, kv := range got {
				if kv.Rev != 1 {
					t.Errorf("%s: rev %d, want 1", kv.Key, kv.Rev)
				}
			}
		})
	}
	if got := list(t, s, "restapis/b", "", 0); len(got) != 1 || string(got[0].Value) != "api" {
		t.Fatalf("list value: %+v", got)
	}
}

func testListPages(t *testing.T, s store.Store) {
	var want []string
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for i := range 250 {
			k := fmt.Sprintf("restapis/p/resources/%04d", (i*37)%250)
			want = append(want, k)
			if err := tx.Put(k, []byte(k)); err != nil {
				return err
			}
		}
		return tx.Put("restapis/q", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	for _, limit := range []int{1, 7, 25, 249, 250, 251} {
		var got []string
		after, pages := "", 0
		for {
			page := list(t, s, "restapis/p/", after, limit)
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			pages++
			for _, kv := range page {
				if string(kv.Value) != kv.Key {
					t.Fatalf("value of %s = %q", kv.Key, kv.Value)
				}
			}
			got = append(got, keys(page)...)
			after = page[len(page)-1].Key
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: pages gave %d keys, want %d in order", limit, len(got), len(want))
		}
		if wantPages := (250 + limit - 1) / limit; pages != wantPages {
			t.Fatalf("limit %d: %d pages, want %d", limit, pages, wantPages)
		}
	}
}

func testDeletePrefix(t *testing.T, s store.Store) {
	put(t, s,
		"restapis/a1", "api",
		"restapis/a1/resources/r1", "x",
		"restapis/a1/resources/r1/methods/GET", "x",
		"restapis/a1/stages/prod", "x",
		"restapis/a10/resources/r1", "x",
		"restapis/a2", "api",
	)
	for _, tc := range []struct {
		prefix string
		want   int
		left   []string
	}{
		{"restapis/a1/resources/", 2, []string{"restapis/a1", "restapis/a1/stages/prod", "restapis/a10/resources/r1", "restapis/a2"}},
		{"restapis/zzz/", 0, []string{"restapis/a1", "restapis/a1/stages/prod", "restapis/a10/resources/r1", "restapis/a2"}},
		{"restapis/a1/", 1, []string{"restapis/a1", "restapis/a10/resources/r1", "restapis/a2"}},
		{"restapis/a1", 2, []string{"restapis/a2"}},
	} {
		var n int
		err := s.Update(t.Context(), func(tx store.Tx) error {
			var err error
			n, err = tx.DeletePrefix(tc.prefix)
			return err
		})
		if err != nil || n != tc.want {
			t.Fatalf("delete prefix %q = %d, %v; want %d", tc.prefix, n, err, tc.want)
		}
		if got := keys(list(t, s, "", "", 0)); !slices.Equal(got, tc.left) {
			t.Fatalf("after delete prefix %q: %q, want %q", tc.prefix, got, tc.left)
		}
	}
}

func testReadOwnWrites(t *testing.T, s store.Store) {
	put(t, s, "t/a", "old", "t/b", "b", "t/sub/x", "x")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Put("t/a", []byte("new")); err != nil {
			return err
		}
		if err := tx.Put("t/c", []byte("c")); err != nil {
			return err
		}
		if err := tx.Delete("t/b"); err != nil {
			return err
		}
		if _, err := tx.DeletePrefix("t/sub/"); err != nil {
			return err
		}
		if v, err := tx.Get("t/a"); err != nil || string(v) != "new" {
			return fmt.Errorf("get t/a in tx = %q, %v", v, err)
		}
		if _, err := tx.Get("t/b"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("get deleted t/b in tx: %v", err)
		}
		kvs, err := tx.List("t/", "", 0)
		if err != nil {
			return err
		}
		if got := keys(kvs); !slices.Equal(got, []string{"t/a", "t/c"}) {
			return fmt.Errorf("list in tx = %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "t/a", "new")
	mustGet(t, s, "t/c", "c")
	mustAbsent(t, s, "t/b")
	mustAbsent(t, s, "t/sub/x")
}

func testRollback(t *testing.T, s store.Store) {
	put(t, s, "r/keep", "1", "r/sub/a", "a", "r/sub/b", "b")
	r0 := rev(t, s)
	ch := watch(t, s, t.Context(), "", r0)
	errBoom := errors.New("validation failed")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for i := range 100 {
			if err := tx.Put(fmt.Sprintf("r/new/%03d", i), []byte("x")); err != nil {
				return err
			}
		}
		if err := tx.Put("r/keep", []byte("changed")); err != nil {
			return err
		}
		if err := tx.Delete("r/sub/a"); err != nil {
			return err
		}
		if _, err := tx.DeletePrefix("r/sub/"); err != nil {
			return err
		}
		return fmt.Errorf("put method: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("update = %v, want the fn error", err)
	}
	if got := keys(list(t, s, "", "", 0)); !slices.Equal(got, []string{"r/keep", "r/sub/a", "r/sub/b"}) {
		t.Fatalf("after rollback: %q", got)
	}
	mustGet(t, s, "r/keep", "1")
	if r := rev(t, s); r != r0 {
		t.Fatalf("rev after rollback = %d, want %d", r, r0)
	}
	quiet(t, ch)
}

func testPanic(t *testing.T, s store.Store) {
	put(t, s, "p/keep", "1")
	r0 := rev(t, s)
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want the panic value", r)
			}
		}()
		_ = s.Update(t.Context(), func(tx store.Tx) error {
			_ = tx.Put("p/new", []byte("x"))
			_ = tx.Put("p/keep", []byte("2"))
			panic("boom")
		})
		t.Fatal("update returned after a panic in fn")
	}()
	mustAbsent(t, s, "p/new")
	mustGet(t, s, "p/keep", "1")
	if r := rev(t, s); r != r0 {
		t.Fatalf("rev after panic = %d, want %d", r, r0)
	}
	func() {
		defer func() { _ = recover() }()
		_ = s.View(t.Context(), func(tx store.Tx) error { panic("boom") })
	}()
	// The store stays usable for readers and writers.
	put(t, s, "p/after", "ok")
	mustGet(t, s, "p/after", "ok")
}

func testViewReadOnly(t *testing.T, s store.Store) {
	put(t, s, "v/a", "1")
	err := s.View(t.Context(), func(tx store.Tx) error {
		if err := tx.Put("v/b", []byte("x")); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("put in view: %v", err)
		}
		if err := tx.Delete("v/a"); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("delete in view: %v", err)
		}
		if _, err := tx.DeletePrefix("v/"); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("delete prefix in view: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "v/a", "1")
	mustAbsent(t, s, "v/b")
}

func testTxDone(t *testing.T, s store.Store) {
	put(t, s, "d/a", "1")
	var vtx, utx store.Tx
	if err := s.View(t.Context(), func(tx store.Tx) error { vtx = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(t.Context(), func(tx store.Tx) error { utx = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	for name, tx := range map[string]store.Tx{"view": vtx, "update": utx} {
		if _, err := tx.Get("d/a"); !errors.Is(err, store.ErrTxDone) {
			t.Errorf("%s: get after fn: %v", name, err)
		}
		if _, err := tx.List("", "", 0); !errors.Is(err, store.ErrTxDone) {
			t.Errorf("%s: list after fn: %v", name, err)
		}
	}
	if err := utx.Put("d/b", nil); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("put after fn: %v", err)
	}
	if err := utx.Delete("d/a"); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("delete after fn: %v", err)
	}
	if _, err := utx.DeletePrefix("d/"); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("delete prefix after fn: %v", err)
	}
	mustGet(t, s, "d/a", "1")
	mustAbsent(t, s, "d/b")
}

func testCancelled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	fn := func(tx store.Tx) error { ran = true; return tx.Put("c/a", nil) }
	if err := s.Update(ctx, fn); !errors.Is(err, context.Canceled) {
		t.Errorf("update with cancelled ctx: %v", err)
	}
	if err := s.View(ctx, func(store.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("view with cancelled ctx: %v", err)
	}
	if _, err := s.Watch(ctx, "", 0); err == nil {
		t.Errorf("watch with cancelled ctx succeeded")
	}
	if ran {
		t.Error("fn ran with a cancelled ctx")
	}
	mustAbsent(t, s, "c/a")
}

func testUpdateWaitCtx(t *testing.T, s store.Store) {
	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(t.Context(), func(tx store.Tx) error {
			close(holding)
			<-release
			return tx.Put("q/first", nil)
		})
	}()
	<-holding
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error { ran = true; return tx.Put("q/second", nil) })
	took := time.Since(start)
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("waiting update = %v (fn ran: %v), want DeadlineExceeded without running", err, ran)
	}
	if took > wait/2 {
		t.Fatalf("waiting update gave up after %v", took)
	}
	if err := <-first; err != nil {
		t.Fatalf("first update: %v", err)
	}
	mustGet(t, s, "q/first", "")
	mustAbsent(t, s, "q/second")
}

func testRevisions(t *testing.T, s store.Store) {
	r0 := rev(t, s)
	if r0 != 0 {
		t.Fatalf("new store at rev %d, want 0", r0)
	}
	steps := []struct {
		name    string
		fn      func(store.Tx) error
		changes bool
	}{
		{"put", func(tx store.Tx) error { return tx.Put("rv/a", []byte("1")) }, true},
		{"put same value", func(tx store.Tx) error { return tx.Put("rv/a", []byte("1")) }, true},
		{"two puts", func(tx store.Tx) error { _ = tx.Put("rv/b", nil); return tx.Put("rv/c", nil) }, true},
		{"read only", func(tx store.Tx) error { _, err := tx.Get("rv/a"); return err }, false},
		{"delete absent", func(tx store.Tx) error { return tx.Delete("rv/zzz") }, false},
		{"create and delete", func(tx store.Tx) error { _ = tx.Put("rv/tmp", nil); return tx.Delete("rv/tmp") }, false},
		{"delete prefix of nothing", func(tx store.Tx) error { _, err := tx.DeletePrefix("rv/none/"); return err }, false},
		{"delete", func(tx store.Tx) error { return tx.Delete("rv/b") }, true},
		{"delete prefix", func(tx store.Tx) error { _, err := tx.DeletePrefix("rv/"); return err }, true},
	}
	want := r0
	for _, st := range steps {
		var inTx int64
		err := s.Update(t.Context(), func(tx store.Tx) error { inTx = tx.Rev(); return st.fn(tx) })
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if inTx != want {
			t.Fatalf("%s: tx.Rev() = %d, want the last committed %d", st.name, inTx, want)
		}
		if st.changes {
			want++
		}
		if got := rev(t, s); got != want {
			t.Fatalf("%s: rev = %d, want %d", st.name, got, want)
		}
		if st.name == "two puts" {
			for _, kv := range list(t, s, "rv/", "", 0) {
				wantKV := want
				if kv.Key == "rv/a" {
					wantKV = want - 1
				}
				if kv.Rev != wantKV {
					t.Fatalf("KV %s rev %d, want %d", kv.Key, kv.Rev, wantKV)
				}
			}
		}
	}
}

func testWatch(t *testing.T, s store.Store) {
	put(t, s, "restapis/a/x", "before")
	r0 := rev(t, s)
	ch := watch(t, s, t.Context(), "restapis/a/", r0)
	put(t, s, "restapis/a/x", "1")
	put(t, s, "restapis/b/x", "other api")
	put(t, s, "restapis/a/y", "2", "restapis/ab", "not under the prefix")
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.Delete("restapis/a/x") }); err != nil {
		t.Fatal(err)
	}
	got := recv(t, ch, 3)
	want := []ev{
		{store.EventPut, "restapis/a/x", "1"},
		{store.EventPut, "restapis/a/y", "2"},
		{store.EventDelete, "restapis/a/x", ""},
	}
	if !slices.Equal(evs(got), want) {
		t.Fatalf("events %v, want %v", evs(got), want)
	}
	wantRevs := []int64{r0 + 1, r0 + 3, r0 + 4}
	for i, e := range got {
		if e.Rev != wantRevs[i] {
			t.Fatalf("event %d rev %d, want %d", i, e.Rev, wantRevs[i])
		}
		if e.Type == store.EventDelete && e.Value != nil {
			t.Fatalf("delete event carries a value %q", e.Value)
		}
	}
	quiet(t, ch)
}

func testWatchBatch(t *testing.T, s store.Store) {
	put(t, s, "b/old1", "x", "b/old2", "x", "b/zz", "x")
	r0 := rev(t, s)
	ch := watch(t, s, t.Context(), "b/", r0)
	err := s.Update(t.Context(), func(tx store.Tx) error {
		_ = tx.Put("b/m", []byte("first"))
		_ = tx.Put("b/c", []byte("c"))
		_ = tx.Put("b/m", []byte("final"))
		_ = tx.Put("b/tmp", []byte("gone"))
		_ = tx.Delete("b/tmp")
		_ = tx.Delete("b/zz")
		_ = tx.Put("b/zz", []byte("back"))
		_, err := tx.DeletePrefix("b/old")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := recv(t, ch, 5)
	want := []ev{
		{store.EventPut, "b/c", "c"},
		{store.EventPut, "b/m", "final"},
		{store.EventDelete, "b/old1", ""},
		{store.EventDelete, "b/old2", ""},
		{store.EventPut, "b/zz", "back"},
	}
	if !slices.Equal(evs(got), want) {
		t.Fatalf("events %v, want %v", evs(got), want)
	}
	for _, e := range got {
		if e.Rev != r0+1 {
			t.Fatalf("event %v rev %d, want %d", e.Key, e.Rev, r0+1)
		}
	}
	quiet(t, ch)
}

func testWatchReplay(t *testing.T, s store.Store) {
	r0 := rev(t, s)
	for i := range 5 {
		put(t, s, fmt.Sprintf("h/%d", i), fmt.Sprint(i))
	}
	// A watcher that read the state at r0+2 gets exactly what followed.
	ch := watch(t, s, t.Context(), "h/", r0+2)
	got := recv(t, ch, 3)
	want := []ev{{store.EventPut, "h/2", "2"}, {store.EventPut, "h/3", "3"}, {store.EventPut, "h/4", "4"}}
	if !slices.Equal(evs(got), want) {
		t.Fatalf("replay %v, want %v", evs(got), want)
	}
	quiet(t, ch)
	// Later changes follow the replay on the same channel.
	put(t, s, "h/5", "5")
	if got := recv(t, ch, 1); got[0].Key != "h/5" || got[0].Rev != r0+6 {
		t.Fatalf("live event after replay %+v", got[0])
	}
	// A watcher ahead of the store waits for its revision.
	ahead := watch(t, s, t.Context(), "h/", r0+7)
	put(t, s, "h/6", "6")
	quiet(t, ahead)
	put(t, s, "h/7", "7")
	if got := recv(t, ahead, 1); got[0].Key != "h/7" {
		t.Fatalf("watch ahead got %+v", got[0])
	}
}

func testWatchNegative(t *testing.T, s store.Store) {
	if _, err := s.Watch(t.Context(), "", -1); !errors.Is(err, store.ErrInvalidKey) {
		t.Fatalf("watch from -1: %v, want ErrInvalidKey", err)
	}
}

func testWatchCancel(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	ch := watch(t, s, ctx, "", rev(t, s))
	put(t, s, "w/a", "1")
	recv(t, ch, 1)
	cancel()
	mustClose(t, ch)
	put(t, s, "w/b", "2") // writers carry on after the watcher left
	mustGet(t, s, "w/b", "2")
}

func testWatchClose(t *testing.T, s store.Store) {
	ch := watch(t, s, t.Context(), "", rev(t, s))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, ch)
}

func testSlowWatcher(t *testing.T, s store.Store) {
	const updates, perUpdate = 20, 100
	r0 := rev(t, s)
	ch := watch(t, s, t.Context(), "slow/", r0)
	done := make(chan error, 1)
	go func() {
		for u := range updates {
			err := s.Update(t.Context(), func(tx store.Tx) error {
				for k := range perUpdate {
					if err := tx.Put(fmt.Sprintf("slow/%02d/%03d", u, k), []byte("v")); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatalf("writers blocked by a watcher that does not read")
	}
	// Reading now, the watcher sees whole revisions in order; if it was
	// dropped, it resumes from the last revision it got.
	var got []store.Event
	last := r0
	for resumes := 0; len(got) < updates*perUpdate; {
		e, ok := <-ch
		if !ok {
			resumes++
			if resumes > updates {
				t.Fatalf("dropped %d times", resumes)
			}
			if len(got)%perUpdate != 0 {
				t.Fatalf("dropped in the middle of revision %d (%d events)", last, len(got))
			}
			var err error
			ch, err = s.Watch(t.Context(), "slow/", last)
			if errors.Is(err, store.ErrCompacted) {
				t.Logf("resume after %d compacted; caller would re-read", last)
				return
			}
			if err != nil {
				t.Fatalf("resume after %d: %v", last, err)
			}
			continue
		}
		if e.Rev < last {
			t.Fatalf("rev went back from %d to %d", last, e.Rev)
		}
		last = e.Rev
		got = append(got, e)
	}
	for i, e := range got {
		u, k := i/perUpdate, i%perUpdate
		if want := fmt.Sprintf("slow/%02d/%03d", u, k); e.Key != want || e.Rev != r0+int64(u)+1 {
			t.Fatalf("event %d = %s@%d, want %s@%d", i, e.Key, e.Rev, want, r0+int64(u)+1)
		}
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	const writers, each = 8, 200
	r0 := rev(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, writers+2)
	stop := make(chan struct{})
	// Readers check that every View sees whole Updates: the counter and
	// the number of written keys always agree.
	var rg sync.WaitGroup
	for range 2 {
		rg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(t.Context(), func(tx store.Tx) error {
					n := 0
					if v, err := tx.Get("cc/counter"); err == nil {
						fmt.Sscan(string(v), &n)
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					kvs, err := tx.List("cc/w/", "", 0)
					if err != nil {
						return err
					}
					if len(kvs) != n {
						return fmt.Errorf("view saw counter %d but %d keys", n, len(kvs))
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := s.Update(t.Context(), func(tx store.Tx) error {
					n := 0
					if v, err := tx.Get("cc/counter"); err == nil {
						fmt.Sscan(string(v), &n)
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					if err := tx.Put("cc/counter", []byte(fmt.Sprint(n+1))); err != nil {
						return err
					}
					return tx.Put(fmt.Sprintf("cc/w/%d/%03d", w, i), []byte("x"))
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustGet(t, s, "cc/counter", fmt.Sprint(writers*each))
	if n := len(list(t, s, "cc/w/", "", 0)); n != writers*each {
		t.Fatalf("%d keys, want %d", n, writers*each)
	}
	if r := rev(t, s); r != r0+writers*each {
		t.Fatalf("rev %d, want %d", r, r0+writers*each)
	}
}

func testClosed(t *testing.T, s store.Store) {
	put(t, s, "x/a", "1")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	ran := false
	if err := s.View(t.Context(), func(store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("view after close: %v", err)
	}
	if err := s.Update(t.Context(), func(store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("update after close: %v", err)
	}
	if _, err := s.Watch(t.Context(), "", 0); !errors.Is(err, store.ErrClosed) {
		t.Errorf("watch after close: %v", err)
	}
	if ran {
		t.Error("fn ran on a closed store")
	}
}
