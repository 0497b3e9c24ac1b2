package mapping

import "unsafe"

type eface struct {
	typ, data unsafe.Pointer
}

// boxString returns *p as an interface value without copying the string
// header to the heap. *p must not change while the value is in use: the
// Request, its Params and its Context are read-only during a request and
// may be Reset only after every render and mapping of that request has
// finished.
func boxString(p *string) any {
	var e any = ""
	(*eface)(unsafe.Pointer(&e)).data = unsafe.Pointer(p)
	return e
}

// boxed returns s as an interface value; when s is the string that
// orig holds, orig is returned and nothing is allocated.
func boxed(s string, orig any) any {
	if o, ok := orig.(string); ok && len(o) == len(s) && (len(s) == 0 || unsafe.StringData(o) == unsafe.StringData(s)) {
		return orig
	}
	return s
}
