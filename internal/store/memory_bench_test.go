package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/portico-dev/portico/internal/store"
)

func seed(b *testing.B, s store.Store, n int) {
	b.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(fmt.Sprintf("restapis/a%03d/resources/r%03d", i/100, i%100), make([]byte, 200)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkMemoryUpdateSmallKey(b *testing.B) {
	s := store.NewMemory()
	seed(b, s, 10_000)
	val := []byte(`{"id":"abc123","name":"pets","apiKeySource":"HEADER"}`)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("restapis/abc123/resources/r%d", i%1000)
		i++
		if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, val) }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryViewGet(b *testing.B) {
	s := store.NewMemory()
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

func BenchmarkMemoryViewList100(b *testing.B) {
	s := store.NewMemory()
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
