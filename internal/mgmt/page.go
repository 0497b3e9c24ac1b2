package mgmt

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
)

// Page is a v1 collection response: {"item": [...], "position": "..."}.
type Page[T any] struct {
	Items    []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

// PageV2 is a v2 collection response: {"items": [...], "nextToken": "..."}
// (control-plane.md §1).
type PageV2[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// Paginate returns the v1 page of items that the request's position and
// limit select (control-plane.md §1: limit default 25, max 500).
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
	page, next, err := slicePage(items, key, q.Get("position"), limit)
	if err != nil {
		return Page[T]{}, awserr.BadRequest("Invalid position parameter specified")
	}
	return Page[T]{Items: page, Position: next}, nil
}

// PaginateV2 returns the v2 page of items that maxResults and nextToken
// select (no limit unless maxResults is given).
func PaginateV2[T any](r *http.Request, items []T, key func(T) string) (PageV2[T], error) {
	q := r.URL.Query()
	limit := len(items)
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return PageV2[T]{}, awserr.BadRequest("maxResults must be a positive integer")
		}
		limit = n
	}
	page, next, err := slicePage(items, key, q.Get("nextToken"), limit)
	if err != nil {
		return PageV2[T]{}, awserr.BadRequest("Invalid nextToken specified")
	}
	return PageV2[T]{Items: page, NextToken: next}, nil
}

// slicePage sorts items by key and returns the page starting at the item
// the token names (the base64 of its key) and the token of the next page.
func slicePage[T any](items []T, key func(T) string, token string, limit int) ([]T, string, error) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return nil, "", err
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= string(raw) })
	}
	end := min(start+limit, len(items))
	page := items[start:end]
	if page == nil {
		page = []T{}
	}
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	return page, next, nil
}
