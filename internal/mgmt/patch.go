package mgmt

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
)

// PatchOp is one AWS patch operation (control-plane.md §3).
type PatchOp struct {
	Op    string  `json:"op"`
	Path  string  `json:"path"`
	Value *string `json:"value,omitempty"`
	From  string  `json:"from,omitempty"`
}

// Val returns the operation's value, "" when absent.
func (p PatchOp) Val() string {
	if p.Value == nil {
		return ""
	}
	return *p.Value
}

var patchOps = []string{"add", "remove", "move", "test", "replace", "copy"}

// DecodePatch reads {"patchOperations": [...]} and checks every op against
// the enum, answering AWS's ValidationException with 1-based indexes and
// the {operation}Input prefix (control-plane.md §3).
func DecodePatch(r *http.Request, input string) ([]PatchOp, error) {
	var body struct {
		PatchOperations []PatchOp `json:"patchOperations"`
	}
	if err := Decode(r, &body); err != nil {
		return nil, err
	}
	var vs []awserr.Violation
	for i, op := range body.PatchOperations {
		ok := false
		for _, o := range patchOps {
			if op.Op == o {
				ok = true
			}
		}
		if !ok {
			vs = append(vs, awserr.Enum(op.Op, fmt.Sprintf("%s.patchOperations.%d.member.op", input, i+1), patchOps...))
		}
	}
	if len(vs) > 0 {
		return nil, awserr.Validation(vs...)
	}
	return body.PatchOperations, nil
}

// PointerSegments splits a JSON Pointer into unescaped segments
// ("~1" is "/", "~0" is "~").
func PointerSegments(path string) []string {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		s = strings.ReplaceAll(s, "~1", "/")
		segs[i] = strings.ReplaceAll(s, "~0", "~")
	}
	return segs
}

// InvalidPath is the answer to a patch path an operation does not take.
func InvalidPath(op PatchOp, allowed ...string) *awserr.Error {
	if len(allowed) == 0 {
		return awserr.BadRequest("Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
	}
	return awserr.BadRequest("Invalid patch path  '%s' specified for op '%s'. Must be one of: [%s]", op.Path, op.Op, strings.Join(allowed, ", "))
}

// InvalidOp is the answer to an op a path does not take.
func InvalidOp(allowed string) *awserr.Error {
	return awserr.BadRequest("Invalid patch operation specified. Must be one of: [%s]", allowed)
}
