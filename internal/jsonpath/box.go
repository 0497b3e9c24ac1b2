package jsonpath

import "unsafe"

// eface is the layout of an empty interface.
type eface struct {
	typ, data unsafe.Pointer
}

// boxString returns *p as an interface value without copying the string
// header to the heap: the interface points at *p, which must not change
// afterwards. Decoded documents keep their strings in slabs that are
// never written again, so converting them costs no allocation each.
func boxString(p *string) any {
	var e any = ""
	(*eface)(unsafe.Pointer(&e)).data = unsafe.Pointer(p)
	return e
}
