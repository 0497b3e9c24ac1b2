package mgmt

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
)

// Page is a v1 collection response: {"item": [...], "position": "..."}.
type Page[T any] struct {
	Items    []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

// Paginate returns the page of items (already in a stable order) that the
// request's position and limit select (control-plane.md §1: limit default
// 25, max 500). The position token names the first key of the next page.
func Paginate[T any](r *http.Request, items []T, key func(T) string) (Page[T], error) {
	q := r.URL.Query()
	limit := 25
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return Page[T]{}, awserr.BadRequest("Invalid limit specified: %s. Must be between 1 and 500", s)
		}
		limit = n
	}
	start := 0
	if pos := q.Get("position"); pos != "" {
		raw, err := base64.RawURLEncoding.DecodeString(pos)
		if err != nil {
			return Page[T]{}, awserr.BadRequest("Invalid position parameter specified")
		}
		start = len(items)
		for i, it := range items {
			if key(it) >= string(raw) {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(items))
	p := Page[T]{Items: items[start:end]}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(items) {
		p.Position = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	return p, nil
}
