package boltstore_test

import (
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/boltstore"
	"github.com/portico-dev/portico/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		// A nested path: Open creates the parent directories.
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "data", "dir", "portico.db"), boltstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
