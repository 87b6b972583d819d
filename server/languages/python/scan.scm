; The light scan of Python (workspace scans and `check`): only what coverage needs, read by
; server/src/engine/sites.ts in scan mode together with deep.scm (which kinds a function lacks).
; Capture names as in sites.scm; what planning alone needs (parameters, returns, strings, calls)
; is left out. A test compares the scan with the full analysis on real files.

(function_definition name: (identifier) @name body: (block) @body) @function
(lambda) @scope
(class_definition name: (identifier) @class.name) @class

(yield) @yield
(comment) @comment

; A body holding only a docstring is skipped.
(block . (expression_statement [(string) (concatenated_string)]) @prologue)

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

(ERROR) @error
