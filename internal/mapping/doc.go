// Package mapping owns API Gateway's data-mapping rules: the template
// variables $input, $util, $context (with request and response
// overrides) and $stageVariables (vtl.md §2–§6), request-template
// selection and passthrough (integrations-v1.md §7, §8), response-template
// selection (§13.6), REST parameter mappings (§6, §13.4), HTTP API
// parameter mappings (integrations-v2.md §5, §6), and the Put-time
// validation of all of these.
//
// Everything here is compiled once at deploy time (templates, JSONPaths,
// mapping expressions) and evaluated per request as pure functions over a
// Request description. The package does no I/O, holds no package-level
// mutable state, knows nothing of HTTP servers, the store or the
// management API, and must not import them; it renders through
// internal/vtl and evaluates JSONPath through internal/jsonpath.
package mapping
