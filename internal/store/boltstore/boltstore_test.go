package boltstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/boltstore"
)

func open(t testing.TB, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func update(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func dump(t testing.TB, s store.Store) (kvs []store.KV, rev int64) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		kvs, err = tx.List("", "", 0)
		rev = tx.Rev()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return kvs, rev
}

// Durability: everything committed before Close is there after Open,
// with the same revisions, and the counter carries on from there.
func TestReopenKeepsEverything(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portico.db")
	s := open(t, path)
	for i := range 50 {
		update(t, s, func(tx store.Tx) error {
			return tx.Put(fmt.Sprintf("restapis/a/resources/%02d", i), []byte(strings.Repeat("v", i*100)))
		})
	}
	update(t, s, func(tx store.Tx) error { return tx.Delete("restapis/a/resources/07") })
	update(t, s, func(tx store.Tx) error { _, err := tx.DeletePrefix("restapis/a/resources/4"); return err })
	before, rev := dump(t, s)
	if rev != 52 || len(before) != 39 {
		t.Fatalf("before close: rev %d, %d keys; want 52, 39", rev, len(before))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := open(t, path)
	after, rev2 := dump(t, s2)
	if rev2 != rev {
		t.Fatalf("rev after reopen %d, want %d", rev2, rev)
	}
	if !slices.EqualFunc(before, after, func(a, b store.KV) bool {
		return a.Key == b.Key && a.Rev == b.Rev && bytes.Equal(a.Value, b.Value)
	}) {
		t.Fatalf("contents changed across reopen")
	}
	// History starts empty at Open: older revisions are compacted, the
	// current one can be watched.
	if _, err := s2.Watch(t.Context(), "", rev-1); !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("watch before open revision: %v, want ErrCompacted", err)
	}
	ch, err := s2.Watch(t.Context(), "", rev)
	if err != nil {
		t.Fatal(err)
	}
	update(t, s2, func(tx store.Tx) error { return tx.Put("restapis/b", nil) })
	select {
	case e := <-ch:
		if e.Rev != rev+1 || e.Key != "restapis/b" {
			t.Fatalf("event after reopen %+v, want restapis/b@%d", e, rev+1)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after reopen")
	}
}

// A second server on the same data directory fails fast and says why.
func TestSecondOpenFailsWithErrLocked(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portico.db")
	s := open(t, path)
	start := time.Now()
	s2, err := boltstore.Open(path, boltstore.Options{LockTimeout: 200 * time.Millisecond})
	took := time.Since(start)
	if err == nil {
		_ = s2.Close()
		t.Fatal("second open succeeded")
	}
	if !errors.Is(err, boltstore.ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v; want ErrLocked naming the file", err)
	}
	if took > 2*time.Second {
		t.Fatalf("second open took %v", took)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s3, err := boltstore.Open(path, boltstore.Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	_ = s3.Close()
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notBolt := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notBolt, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	future := filepath.Join(dir, "future.db")
	db, err := bolt.Open(future, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return b.Put([]byte("format"), []byte("99"))
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	for _, tc := range []struct{ name, path, want string }{
		{"not a bolt file", notBolt, "invalid"},
		{"unknown format version", future, "unknown file format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := boltstore.Open(tc.path, boltstore.Options{})
			if err == nil {
				_ = s.Close()
				t.Fatal("open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("open: %v; want it to mention %q", err, tc.want)
			}
		})
	}
}

const crashEnv = "PORTICO_BOLTSTORE_CRASH_CHILD"

// TestCrashChild is the child of TestCrashKeepsAcknowledgedUpdates: it
// commits one key per Update and prints "ack <key>" after each Update
// returns, until it is killed.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("helper process of TestCrashKeepsAcknowledgedUpdates")
	}
	path, round, _ := strings.Cut(spec, "|")
	s, err := boltstore.Open(path, boltstore.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	deadline := time.Now().Add(30 * time.Second) // never outlive a dead parent for long
	for i := 0; time.Now().Before(deadline); i++ {
		key := crashKey(round, i)
		err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, crashValue(key)) })
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("ack", key) // os.Stdout is unbuffered: printed means acknowledged
	}
	os.Exit(4)
}

func crashKey(round string, i int) string { return fmt.Sprintf("crash/%s/%06d", round, i) }

// crashValue varies in size so commits touch different numbers of pages.
func crashValue(key string) []byte {
	var n int
	fmt.Sscanf(key[strings.LastIndexByte(key, '/')+1:], "%d", &n)
	return bytes.Repeat([]byte(key), 1+(n*7)%400)
}

// Durability (Update returns nil only once the write is on disk): a child
// process is SIGKILLed while committing; every Update it acknowledged is
// in the file afterwards, the keys it committed form an unbroken run,
// and the file stays usable across repeated crashes.
func TestCrashKeepsAcknowledgedUpdates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portico.db")
	acked := map[string][]string{}
	for r, tc := range []struct {
		killAfter int
		delay     time.Duration // lets the child run on between the ack and the kill
	}{{150, 0}, {237, 3 * time.Millisecond}, {61, 20 * time.Millisecond}, {300, 7 * time.Millisecond}} {
		round, killAfter := fmt.Sprint(r), tc.killAfter
		acked[round] = runCrashChild(t, path, round, killAfter, tc.delay)
		if len(acked[round]) < killAfter {
			t.Fatalf("round %s: only %d acknowledgements", round, len(acked[round]))
		}
	}

	s := open(t, path)
	kvs, rev := dump(t, s)
	got := map[string][]string{}
	for _, kv := range kvs {
		if !bytes.Equal(kv.Value, crashValue(kv.Key)) {
			t.Fatalf("%s: value of %d bytes is wrong", kv.Key, len(kv.Value))
		}
		parts := strings.Split(kv.Key, "/")
		got[parts[1]] = append(got[parts[1]], kv.Key)
	}
	if int(rev) != len(kvs) {
		t.Fatalf("rev %d, but %d one-key updates are stored", rev, len(kvs))
	}
	for round, keys := range acked {
		stored := got[round]
		// Stored keys are 0..n-1 with n >= acknowledged (at most one
		// committed update may have missed its acknowledgement).
		for i, k := range stored {
			if k != crashKey(round, i) {
				t.Fatalf("round %s: stored keys have a gap at %d (%s)", round, i, k)
			}
		}
		if len(stored) < len(keys) || len(stored) > len(keys)+1 {
			t.Fatalf("round %s: %d acknowledged, %d stored", round, len(keys), len(stored))
		}
		t.Logf("round %s: %d acknowledged, %d stored", round, len(keys), len(stored))
	}
}

// runCrashChild starts the child, SIGKILLs it after killAfter
// acknowledgements and returns every key it acknowledged.
func runCrashChild(t *testing.T, path, round string, killAfter int, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path+"|"+round)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { _ = cmd.Process.Signal(syscall.SIGKILL) }) }
	t.Cleanup(kill)
	var keys []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		key, ok := strings.CutPrefix(line, "ack ")
		if !ok {
			if strings.HasPrefix(line, "error") {
				t.Errorf("child: %s", line)
			}
			continue
		}
		keys = append(keys, key)
		if len(keys) == killAfter {
			// Mid-stream: the child is busy committing the next keys.
			time.AfterFunc(delay, kill)
		}
	}
	// A line cut by the kill has no newline; Scanner still returns it.
	if n := len(keys); n > 0 && len(keys[n-1]) != len(crashKey(round, 0)) {
		keys = keys[:n-1]
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v\n%s", err, stderr.Bytes())
	}
	return keys
}

func BenchmarkUpdateSmallKey(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "portico.db"))
	val := []byte(`{"id":"abc123","name":"pets","apiKeySource":"HEADER"}`)
	b.ReportAllocs()
	i := 0
	start := time.Now()
	for b.Loop() {
		key := fmt.Sprintf("restapis/abc123/resources/r%d", i%1000)
		i++
		if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, val) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/op")
}

func seed(b *testing.B, s store.Store, n int) {
	b.Helper()
	update(b, s, func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(fmt.Sprintf("restapis/a%03d/resources/r%03d", i/100, i%100), make([]byte, 200)); err != nil {
				return err
			}
		}
		return nil
	})
}

func BenchmarkViewGet(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "portico.db"))
	seed(b, s, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(context.Background(), func(tx store.Tx) error {
			_, err := tx.Get("restapis/a042/resources/r042")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkViewList100(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "portico.db"))
	seed(b, s, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(context.Background(), func(tx store.Tx) error {
			kvs, err := tx.List("restapis/a042/", "", 0)
			if len(kvs) != 100 {
				return fmt.Errorf("listed %d", len(kvs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
