package mgmt

import (
	"encoding/json"
	"fmt"

	"github.com/portico-dev/portico/internal/store"
)

// GetJSON reads key into v; store.ErrNotFound when absent.
func GetJSON(tx store.Tx, key string, v any) error {
	b, err := tx.Get(key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

// PutJSON writes v under key.
func PutJSON(tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := tx.Put(key, b); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// ListJSON decodes every value under prefix, in key order.
func ListJSON[T any](tx store.Tx, prefix string) ([]*T, error) {
	kvs, err := tx.List(prefix, "", 0)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	out := make([]*T, 0, len(kvs))
	for _, kv := range kvs {
		v := new(T)
		if err := json.Unmarshal(kv.Value, v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kv.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}
