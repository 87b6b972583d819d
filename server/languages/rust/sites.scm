; Sites for Rust. See python/sites.scm for capture names. Rust has no templates: an LLM writes the
; probes (rust/runtime-api.ts), and these captures are what coverage, diagnostics and strip read.

(function_item name: (identifier) @name body: (block) @body) @function
(closure_expression) @scope
; A const fn cannot call the runtime: skipped with the descriptor's superCallSkip reason.
(function_item (function_modifiers "const") @super)

; Methods are qualified by their impl's type or their trait; modules qualify what they hold.
(impl_item type: [
  (type_identifier) @class.name
  (generic_type type: (type_identifier) @class.name)
  (scoped_type_identifier name: (type_identifier) @class.name)]) @class
(trait_item name: (type_identifier) @class.name) @class
(mod_item name: (identifier) @class.name) @class

(parameters (parameter pattern: (identifier) @param))
(parameters (parameter pattern: (mut_pattern (identifier) @param)))
(parameters (self_parameter (self) @param))

(line_comment) @comment
(block_comment) @comment

; The entry probe: `let __tel = crate::telemetry_runtime::enter(...);`
(let_declaration pattern: (identifier) @_t (#eq? @_t "__tel")) @probe.entry
; Calls of the runtime, `crate::telemetry_runtime::ret(&__tel, x)` among them.
(call_expression function: (scoped_identifier path: (scoped_identifier path: (crate) name: (identifier) @_m))
  (#eq? @_m "telemetry_runtime")) @probe.call

(ERROR) @error
