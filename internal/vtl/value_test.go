package vtl

import (
	"strconv"
	"testing"
)

// Map keeps insertion order (LinkedHashMap) on both the linear path and
// the indexed path used past smallMap entries.
func TestMapOrderAndIndex(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, smallMap, smallMap + 1, 50} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			m := NewMap(0)
			for i := range n {
				if old := m.Put("k"+strconv.Itoa(i), int64(i)); old != nil {
					t.Fatalf("new key returned %v", old)
				}
			}
			if old := m.Put("k0", "again"); old != int64(0) {
				t.Fatalf("Put existing returned %v", old)
			}
			if got := m.Remove("k1"); got != int64(1) {
				t.Fatalf("Remove returned %v", got)
			}
			if m.Len() != n-1 || m.Keys()[0] != "k0" {
				t.Fatalf("len %d keys %v", m.Len(), m.Keys())
			}
			for i := 2; i < n; i++ {
				if v, ok := m.Get("k" + strconv.Itoa(i)); !ok || v != int64(i) {
					t.Fatalf("Get k%d = %v %v", i, v, ok)
				}
			}
			if _, ok := m.Get("k1"); ok {
				t.Fatal("removed key still present")
			}
			if v, _ := m.Get("k0"); v != "again" {
				t.Fatalf("k0 = %v", v)
			}
			var zero Map
			zero.Put("a", 1)
			if v, _ := zero.Get("a"); v != 1 {
				t.Fatal("zero Map is not usable")
			}
		})
	}
}
