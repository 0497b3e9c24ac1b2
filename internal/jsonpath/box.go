package jsonpath

import "unsafe"

// eface is the layout of an empty interface.
type eface struct {
	typ, data unsafe.Pointer
}

// boxIn returns *p as an interface value without copying it to the
// heap: the interface points at *p, which must not change while the
// value is in use. Decoded documents keep their strings and numbers in
// a Decoder's slabs, which are written again only after Decoder.Reset,
// so converting them costs no allocation each.
func boxIn[T string | int64 | float64](p *T) any {
	var zero T
	e := any(zero) // zero values box without allocating
	(*eface)(unsafe.Pointer(&e)).data = unsafe.Pointer(p)
	return e
}
