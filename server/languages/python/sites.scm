; Sites for Python. Capture names are read by server/src/engine/sites.ts:
;   @function (+ @name, @body)  a def that can take a probe
;   @scope                      a function-like node that cannot (lambda): owns its own returns/yields
;   @class (+ @class.name)      qualifies method names
;   @param                      a parameter name, owned by the innermost function
;   @return.value @yield @await @string @comment @prologue @prologue.module @probe.* @error

(function_definition name: (identifier) @name body: (block) @body) @function
(lambda) @scope
(class_definition name: (identifier) @class.name) @class

(parameters (identifier) @param)
(parameters (default_parameter name: (identifier) @param))
(parameters (typed_parameter (identifier) @param))
(parameters (typed_default_parameter name: (identifier) @param))
(parameters (list_splat_pattern (identifier) @param))
(parameters (dictionary_splat_pattern (identifier) @param))
(parameters (typed_parameter (list_splat_pattern (identifier) @param)))
(parameters (typed_parameter (dictionary_splat_pattern (identifier) @param)))

(return_statement (_) @return.value)
(yield) @yield
(await) @await
(string) @string
(comment) @comment

; Docstrings, also written as adjacent literals ("a" "b"). The module's may follow comments (a #!
; line, a licence): every top-level string statement is captured, and only the leading run counts.
(block . (expression_statement [(string) (concatenated_string)]) @prologue)
(module (expression_statement [(string) (concatenated_string)]) @prologue.module)
(future_import_statement) @prologue.module

; An entry probe: `__tel = _tm.on and _tm.enter(...)`.
; `(_ object: …)` is an attribute and `(_ left: … operator: ["and" "or"])` a boolean_operator: wildcards
; compile faster than typed nodes (see deep.scm's header).
(expression_statement
  (assignment left: (identifier) @_t
    right: (_ left: (_ object: (identifier) @_m) operator: ["and" "or"]))
  (#eq? @_t "__tel") (#eq? @_m "_tm")) @probe.entry

; The entry probe since return values go to the exit probe: `__tel = __r = _tm.on and _tm.enter(...)`.
(expression_statement
  (assignment left: (identifier) @_t
    right: (assignment left: (identifier) @_r
      right: (_ left: (_ object: (identifier) @_m) operator: ["and" "or"])))
  (#eq? @_t "__tel") (#eq? @_r "__r") (#eq? @_m "_tm")) @probe.entry

(import_statement name: (aliased_import alias: (identifier) @_a) (#eq? @_a "_tm")) @probe.import

(call function: (_ object: (identifier) @_w) (#eq? @_w "_tm")) @probe.call
; A return value wrap: `(__r := (value))`.
(parenthesized_expression (named_expression name: (identifier) @_v) (#eq? @_v "__r")) @probe.call

(ERROR) @error
