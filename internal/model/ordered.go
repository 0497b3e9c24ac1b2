package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// OrderedMap is a string map that keeps the order in which keys were
// defined. Mapping templates need it: when no template matches, the first
// one defined is used (integrations-v1.md §13.6).
type OrderedMap struct {
	Keys   []string
	Values map[string]string
}

// Len reports the number of entries; a nil map is empty.
func (m *OrderedMap) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Keys)
}

// Get returns the value of k.
func (m *OrderedMap) Get(k string) (string, bool) {
	if m == nil {
		return "", false
	}
	v, ok := m.Values[k]
	return v, ok
}

// Set adds or replaces k, keeping an existing key's position.
func (m *OrderedMap) Set(k, v string) {
	if m.Values == nil {
		m.Values = map[string]string{}
	}
	if _, ok := m.Values[k]; !ok {
		m.Keys = append(m.Keys, k)
	}
	m.Values[k] = v
}

// Delete removes k and reports whether it was present.
func (m *OrderedMap) Delete(k string) bool {
	if m == nil {
		return false
	}
	if _, ok := m.Values[k]; !ok {
		return false
	}
	delete(m.Values, k)
	for i, key := range m.Keys {
		if key == k {
			m.Keys = append(m.Keys[:i], m.Keys[i+1:]...)
			break
		}
	}
	return true
}

// Clone returns a deep copy.
func (m *OrderedMap) Clone() *OrderedMap {
	if m == nil {
		return nil
	}
	c := &OrderedMap{Keys: append([]string(nil), m.Keys...), Values: make(map[string]string, len(m.Values))}
	for k, v := range m.Values {
		c.Values[k] = v
	}
	return c
}

// MarshalJSON writes the entries in order.
func (m OrderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m.Values[k])
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object of strings, keeping key order. A null
// value removes nothing and is stored as the empty string, as AWS does.
func (m *OrderedMap) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*m = OrderedMap{}
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected a JSON object of strings")
	}
	*m = OrderedMap{Values: map[string]string{}}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		switch x := vt.(type) {
		case string:
			v = x
		case nil:
		default:
			return fmt.Errorf("expected a string value for %q", k)
		}
		m.Set(k, v)
	}
	_, err = dec.Token()
	return err
}
