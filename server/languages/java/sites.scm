; Sites for Java. See python/sites.scm for capture names. Java has no templates: an LLM writes the
; probes (java/runtime-api.ts), and these captures are what coverage, diagnostics and strip read.

(method_declaration name: (identifier) @name body: (block) @body) @function
(constructor_declaration name: (identifier) @name body: (constructor_body) @body) @function
(compact_constructor_declaration name: (identifier) @name body: (block) @body) @function
(lambda_expression) @scope

(class_declaration name: (identifier) @class.name) @class
(interface_declaration name: (identifier) @class.name) @class
(enum_declaration name: (identifier) @class.name) @class
(record_declaration name: (identifier) @class.name) @class
(annotation_type_declaration name: (identifier) @class.name) @class

(formal_parameters (formal_parameter name: (identifier) @param))
(formal_parameters (spread_parameter (variable_declarator name: (identifier) @param)))

(line_comment) @comment
(block_comment) @comment

; `this(...)`/`super(...)` must stay a constructor's first statement: the entry probe follows it.
(constructor_body . (explicit_constructor_invocation) @prologue)

; The entry probe: `final _tm.Telemetry.Span __tel = ...;`
(local_variable_declaration declarator: (variable_declarator name: (identifier) @_t) (#eq? @_t "__tel")) @probe.entry
; Calls of the runtime, `_tm.Telemetry.ret(__tel, x)` among them.
(method_invocation object: (field_access object: (identifier) @_p field: (identifier) @_c)
  (#eq? @_p "_tm") (#eq? @_c "Telemetry")) @probe.call

(ERROR) @error
