package vtl

import (
	"bytes"
	"encoding/json"
	"testing"
)

// fromJSON decodes JSON into the value model: objects become ordered
// *Map, arrays *List, integers int64, decimals float64.
func fromJSON(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	v, err := decodeValue(d)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func decodeValue(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		switch x {
		case '{':
			m := NewMap(4)
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				m.Put(k.(string), v)
			}
			_, err := d.Token()
			return m, err
		case '[':
			l := &List{}
			for d.More() {
				v, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := d.Token()
			return l, err
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		f, err := x.Float64()
		return f, err
	}
	return tok, nil
}

// scopeFromJSON turns a JSON object into root variables (null members
// are left out, as the oracle does).
func scopeFromJSON(t testing.TB, s string) MapScope {
	m, ok := fromJSON(t, s).(*Map)
	if !ok {
		t.Fatalf("context %q is not an object", s)
	}
	sc := MapScope{}
	for _, k := range m.Keys() {
		if v, _ := m.Get(k); v != nil {
			sc[k] = v
		}
	}
	return sc
}
