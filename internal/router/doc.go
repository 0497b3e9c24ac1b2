// Package router matches a request method and path to a compiled route.
//
// It owns the route tables of the data plane: REST API (v1) resource
// trees (RESTTable), HTTP API (v2) route keys (HTTPTable) and WebSocket
// route keys (Keys). Tables are built once at deploy time by a builder
// and are then immutable and safe for concurrent use; Match does no I/O,
// takes no locks and allocates only when a path parameter value has to be
// percent-decoded.
//
// Precedence follows the spec: for REST (integrations-v1.md §11.2), at each
// path level a literal path part beats a {param}, which beats a greedy
// {proxy+}, with backtracking when a branch dead-ends deeper down; the
// resource is chosen by path alone, then an explicit method beats ANY
// (§11.1). For HTTP APIs (integrations-v2.md §7.3), full matches beat
// greedy matches, literal beats variable at each position, an explicit
// method beats ANY, and $default comes last. WebSocket routes are selected
// by exact route key with $default as the fallback (§9.2).
//
// Paths are given as received on the wire (escaped form, without the
// query string and without the stage segment): the path is split on '/'
// first, then each segment is percent-decoded, so "%2F" stays inside a
// segment. Empty segments and trailing slashes are ignored ("/pets/"
// matches "/pets"); paths are case-sensitive.
//
// The package knows nothing of HTTP servers, storage or the model; it
// does no I/O.
package router
