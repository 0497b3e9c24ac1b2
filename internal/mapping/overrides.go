package mapping

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/portico-dev/portico/internal/vtl"
)

// ErrOverrideTwice is wrapped when a template sets the same override
// twice (vtl.md §6: "Each parameter may be overridden only once per
// template"; the request fails with 5XX).
var ErrOverrideTwice = errors.New("override set twice")

// Override is one $context.requestOverride/responseOverride entry. A
// list value yields several values (a multi-value header).
type Override struct {
	Name   string
	Values []string
}

// Overrides collects what a template set through
// $context.requestOverride.* and $context.responseOverride.* (vtl.md §6).
// The pipeline applies them after the parameter mappings; they win.
type Overrides struct {
	RequestHeader, RequestQuery, RequestPath []Override
	ResponseHeader                           []Override
	// Status is the responseOverride.status value when it was an integer
	// in 100..599, else 0 (ignored, [observed]).
	Status    int
	statusSet bool
}

// Reset clears o for reuse.
func (o *Overrides) Reset() {
	*o = Overrides{RequestHeader: o.RequestHeader[:0], RequestQuery: o.RequestQuery[:0], RequestPath: o.RequestPath[:0], ResponseHeader: o.ResponseHeader[:0]}
}

func setOverride(list *[]Override, kind, name string, v any) error {
	for _, e := range *list {
		if e.Name == name {
			return fmt.Errorf("%w: %s.%s", ErrOverrideTwice, kind, name)
		}
	}
	var vals []string
	switch x := v.(type) {
	case nil:
		return nil
	case *vtl.List:
		for _, it := range x.Items {
			vals = append(vals, javaString(it))
		}
	default:
		vals = []string{javaString(x)}
	}
	*list = append(*list, Override{Name: name, Values: vals})
	return nil
}

func getOverride(list []Override, name string) (any, bool) {
	for _, e := range list {
		if e.Name == name {
			if len(e.Values) == 1 {
				return e.Values[0], true
			}
			l := &vtl.List{Items: make([]any, len(e.Values))}
			for i, s := range e.Values {
				l.Items[i] = s
			}
			return l, true
		}
	}
	return nil, false
}

// overrideMap is $context.requestOverride.header (and friends): a map a
// template may assign each key of once.
type overrideMap struct {
	list *[]Override
	kind string
}

var (
	_ vtl.Object = overrideMap{}
	_ vtl.Setter = overrideMap{}
)

func (m overrideMap) Property(name string) (any, bool) { return getOverride(*m.list, name) }

func (m overrideMap) SetProperty(name string, v any) error {
	return setOverride(m.list, m.kind, name, v)
}

func (m overrideMap) Call(name string, args []any) (any, error) {
	switch {
	case name == "put" && len(args) == 2:
		return nil, setOverride(m.list, m.kind, javaString(args[0]), args[1])
	case name == "get" && len(args) == 1:
		v, _ := getOverride(*m.list, javaString(args[0]))
		return v, nil
	case name == "containsKey" && len(args) == 1:
		_, ok := getOverride(*m.list, javaString(args[0]))
		return ok, nil
	case name == "size" && len(args) == 0:
		return int64(len(*m.list)), nil
	case name == "isEmpty" && len(args) == 0:
		return len(*m.list) == 0, nil
	}
	return nil, vtl.ErrNoMethod
}

type requestOverrideObj struct{ o *Overrides }

func (r requestOverrideObj) Property(name string) (any, bool) {
	switch name {
	case "header":
		return overrideMap{&r.o.RequestHeader, "requestOverride.header"}, true
	case "querystring":
		return overrideMap{&r.o.RequestQuery, "requestOverride.querystring"}, true
	case "path":
		return overrideMap{&r.o.RequestPath, "requestOverride.path"}, true
	}
	return nil, false
}

func (r requestOverrideObj) Call(name string, args []any) (any, error) {
	return nil, vtl.ErrNoMethod
}

type responseOverrideObj struct{ o *Overrides }

var _ vtl.Setter = responseOverrideObj{}

func (r responseOverrideObj) Property(name string) (any, bool) {
	switch name {
	case "header":
		return overrideMap{&r.o.ResponseHeader, "responseOverride.header"}, true
	case "status":
		if r.o.Status == 0 {
			return nil, false
		}
		return int64(r.o.Status), true
	}
	return nil, false
}

func (r responseOverrideObj) SetProperty(name string, v any) error {
	if name != "status" {
		return nil
	}
	if r.o.statusSet {
		return fmt.Errorf("%w: responseOverride.status", ErrOverrideTwice)
	}
	r.o.statusSet = true
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case float64:
		n = int64(x)
		if float64(n) != x {
			return nil
		}
	case string:
		var err error
		if n, err = strconv.ParseInt(x, 10, 64); err != nil {
			return nil
		}
	default:
		return nil
	}
	if n >= 100 && n <= 599 {
		r.o.Status = int(n)
	}
	return nil
}

func (r responseOverrideObj) Call(name string, args []any) (any, error) {
	return nil, vtl.ErrNoMethod
}
