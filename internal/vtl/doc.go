// Package vtl is Portico's Velocity Template Language engine: lexer,
// parser, compiled templates and evaluator, with Apache Velocity 1.7
// semantics as API Gateway runs them (vtl.md §1): references, directives,
// whitespace gobbling, Java-like methods on strings, lists and maps,
// Velocity's integer/decimal arithmetic and Java number printing.
//
// Templates are compiled once by Parse, into a node tree and from it
// into Go closures that Render runs; RenderReference runs the node tree
// itself, the reference the compiled form is tested against. Templates
// are safe for concurrent Render calls. Host objects implementing Binder
// have their methods and properties resolved once per reference. Root variables come from a Scope supplied by the caller;
// #set writes to a per-render scope the engine manages. Runaway templates
// are bounded by Options (iterations, macro depth, output size) and fail
// with a *RenderError; templates that do not parse fail with a *ParseError
// carrying line and column.
//
// The package knows nothing of AWS: $input, $util, $context and the
// "null renders empty" rule are supplied by internal/mapping through
// Scope, Object and Options.NullAsEmpty.
package vtl
