package store_test

import (
	"testing"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
}
