package watch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

var (
	errClosed    = errors.New("closed")
	errCompacted = errors.New("compacted")
)

type ev struct {
	key string
	rev int64
}

func newFeed(rev int64, history, buffer int) *Feed[ev] {
	return New(Config[ev]{
		Key: func(e ev) string { return e.key }, Rev: rev, History: history, Buffer: buffer,
		ErrClosed: errClosed, ErrCompacted: errCompacted,
	})
}

func publish(f *Feed[ev], rev int64, keys ...string) {
	evs := make([]ev, len(keys))
	for i, k := range keys {
		evs[i] = ev{k, rev}
	}
	f.Publish(rev, evs)
}

// drain reads what is queued, reporting whether the channel was closed.
func drain(ch <-chan ev) (got []ev, closed bool) {
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				return got, true
			}
			got = append(got, e)
		case <-time.After(20 * time.Millisecond):
			return got, false
		}
	}
}

func TestWatchHistoryAndCompaction(t *testing.T) {
	f := newFeed(10, 3, 8)
	for r := int64(11); r <= 15; r++ {
		publish(f, r, "a/x")
	}
	// History holds 13, 14, 15: watching after 12 or later works.
	for _, tc := range []struct {
		name    string
		after   int64
		wantErr error
		want    int
	}{
		{"before the open revision is compacted", 9, errCompacted, 0},
		{"trimmed revisions are compacted", 11, errCompacted, 0},
		{"the oldest kept boundary replays all kept", 12, nil, 3},
		{"replay is strictly after", 14, nil, 1},
		{"current revision replays nothing", 15, nil, 0},
		{"a future revision replays nothing", 99, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := f.Watch(t.Context(), "a/", tc.after)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("watch after %d: %v, want %v", tc.after, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			got, closed := drain(ch)
			if len(got) != tc.want || closed {
				t.Fatalf("replay after %d: %v (closed %v), want %d events", tc.after, got, closed, tc.want)
			}
		})
	}
}

func TestWatchPrefixAndAfter(t *testing.T) {
	f := newFeed(0, 10, 8)
	ch, _ := f.Watch(t.Context(), "a/", 0)
	ahead, _ := f.Watch(t.Context(), "a/", 2)
	publish(f, 1, "a/1", "b/1", "a/2")
	publish(f, 2, "b/2")
	publish(f, 3, "a/3")
	got, _ := drain(ch)
	if want := []ev{{"a/1", 1}, {"a/2", 1}, {"a/3", 3}}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	got, _ = drain(ahead)
	if want := []ev{{"a/3", 3}}; !slices.Equal(got, want) {
		t.Fatalf("watcher after 2 got %v, want %v", got, want)
	}
}

// A watcher without room for a whole revision is dropped before any of
// it is queued, so resuming after its last revision loses nothing.
func TestSlowWatcherDroppedAtRevisionBoundary(t *testing.T) {
	f := newFeed(0, 10, 3)
	ch, _ := f.Watch(t.Context(), "", 0)
	publish(f, 1, "a", "b")
	publish(f, 2, "c", "d") // 2 more do not fit in the 1 free slot
	publish(f, 3, "e")
	got, closed := drain(ch)
	if want := []ev{{"a", 1}, {"b", 1}}; !slices.Equal(got, want) || !closed {
		t.Fatalf("got %v closed %v, want %v then closed", got, closed, want)
	}
	if n := f.Watchers(); n != 0 {
		t.Fatalf("%d watchers left", n)
	}
	ch, err := f.Watch(t.Context(), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = drain(ch)
	if want := []ev{{"c", 2}, {"d", 2}, {"e", 3}}; !slices.Equal(got, want) {
		t.Fatalf("resumed %v, want %v", got, want)
	}
}

func TestWatchEndsWithCtxAndClose(t *testing.T) {
	f := newFeed(0, 10, 3)
	ctx, cancel := context.WithCancel(t.Context())
	a, _ := f.Watch(ctx, "", 0)
	b, _ := f.Watch(t.Context(), "", 0)
	cancel()
	if _, closed := drain(a); !closed {
		t.Fatal("cancelled watcher not closed")
	}
	publish(f, 1, "x")
	f.Close()
	if got, closed := drain(b); len(got) != 1 || !closed {
		t.Fatalf("after close: %v closed %v", got, closed)
	}
	if _, err := f.Watch(t.Context(), "", 0); !errors.Is(err, errClosed) {
		t.Fatalf("watch after close: %v", err)
	}
	f.Publish(2, []ev{{"y", 2}}) // no panic on a closed feed
}

func TestChangesKeepFinalStatePerKey(t *testing.T) {
	var c Changes
	if !c.Empty() {
		t.Fatal("new Changes not empty")
	}
	c.Put("tmp", []byte("x"), false)
	c.Delete("tmp", true)
	if !c.Empty() {
		t.Fatal("create then delete is a change")
	}
	c.Put("b", []byte("1"), true)
	c.Put("b", []byte("2"), true)
	c.Delete("a", true)
	c.Put("a", []byte("back"), false)
	got := c.Sorted()
	want := []Change{{Key: "a", Value: []byte("back")}, {Key: "b", Value: []byte("2")}}
	if !slices.EqualFunc(got, want, func(x, y Change) bool {
		return x.Key == y.Key && string(x.Value) == string(y.Value) && x.Deleted == y.Deleted
	}) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	c.Reset()
	if !c.Empty() {
		t.Fatal("reset Changes not empty")
	}
}
