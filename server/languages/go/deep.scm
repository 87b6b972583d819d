; Deep sites for Go (capture names as in python/deep.scm). Case bodies and blocks hold a
; statement_list; an empty body has none and is not a site. A function with a goto gets no loop
; probes (@loop.blocker): a goto may not jump over the handle's declaration.

; No variable probe where a lock value is in plain sight: a `sync.X{}` or `atomic.X{}` literal, or a
; `var` of such a type. The probe passes the value, and go vet's copylocks reports a call that copies
; a lock (`&sync.Mutex{}`, a pointer, is probed). A value built from a struct literal of another type
; (`x := T{...}`, `T[K]{...}`) may hold a lock the syntax cannot see: its probe passes the variable
; by address (@var.after.ref, `_tm.VarRef`), which vet accepts.
(short_var_declaration left: (expression_list) @var.after right: (expression_list) @_value
  (#not-match? @_value "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#not-match? @_value "(^|[,(])[ \\t]*[A-Za-z_][A-Za-z0-9_.]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?\\{")) @var.stmt
(short_var_declaration left: (expression_list) @var.after.ref right: (expression_list) @_value
  (#not-match? @_value "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#match? @_value "(^|[,(])[ \\t]*[A-Za-z_][A-Za-z0-9_.]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?\\{")) @var.stmt
(assignment_statement left: (expression_list) @var.after right: (expression_list) @_value
  (#not-match? @_value "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#not-match? @_value "(^|[,(])[ \\t]*[A-Za-z_][A-Za-z0-9_.]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?\\{")) @var.stmt
(assignment_statement left: (expression_list) @var.after.ref right: (expression_list) @_value
  (#not-match? @_value "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#match? @_value "(^|[,(])[ \\t]*[A-Za-z_][A-Za-z0-9_.]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?\\{")) @var.stmt
(var_declaration (var_spec name: (identifier) @var.after type: (_)? @_type value: (_) @_value
  (#not-match? @_type "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#not-match? @_value "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#not-match? @_value "(^|[,(])[ \\t]*[A-Za-z_][A-Za-z0-9_.]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?\\{"))) @var.stmt
(var_declaration (var_spec name: (identifier) @var.after.ref type: (_)? @_type value: (_) @_value
  (#not-match? @_type "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#not-match? @_value "(^|,)[ \\t]*(sync|atomic)\\.[A-Z][A-Za-z0-9]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?(\\{|$)") (#match? @_value "(^|[,(])[ \\t]*[A-Za-z_][A-Za-z0-9_.]*[ \\t]*(\\[[^\\]]*\\][ \\t]*)?\\{"))) @var.stmt
([(inc_statement (identifier) @var.after) (dec_statement (identifier) @var.after)]) @var.stmt

(for_statement (range_clause left: (expression_list) @var.enter) body: (block (statement_list) @enter.body))

(if_statement condition: (_) @condition consequence: (block (statement_list) @branch.if))
(if_statement alternative: (block (statement_list) @branch.else))
(expression_case value: (_) @condition (statement_list) @branch.case)
(default_case (statement_list) @branch.default)
(type_case type: (_) @condition (statement_list) @branch.type-case)
(communication_case communication: (_) @condition (statement_list) @branch.select-case)

(if_statement condition: (binary_expression left: (identifier) @exception.binding operator: "!=" right: (nil))
  consequence: (block (statement_list) @exception.error)
  (#match? @exception.binding "[eE]rr"))

; A loop with no condition (`for {`, `for i := 0; ; i++ {`) is a terminating statement: nothing may follow it.
(for_statement . body: (block (statement_list) @loop.body)) @loop.for.endless
(for_statement (for_clause !condition) . body: (block (statement_list) @loop.body)) @loop.for.endless
(for_statement [(for_clause condition: (_)) (range_clause) (_expression)] . body: (block (statement_list) @loop.body)) @loop.for
(goto_statement) @loop.blocker

; Probe statements the engine inserted (`if _tm.On() { _tm.<Fn>(...) }`, loop handles `__lN`).
(if_statement condition: (call_expression function: (selector_expression operand: (identifier) @_m field: (field_identifier) @_on))
  consequence: (block (statement_list . (expression_statement (call_expression function: (selector_expression operand: (identifier) @_m2 field: (field_identifier) @_f))) .))
  (#eq? @_m "_tm") (#eq? @_on "On") (#eq? @_m2 "_tm") (#any-of? @_f "Var" "VarRef" "Redacted")) @probe.variable
(if_statement condition: (call_expression function: (selector_expression operand: (identifier) @_m field: (field_identifier) @_on))
  consequence: (block (statement_list . (expression_statement (call_expression function: (selector_expression operand: (identifier) @_m2 field: (field_identifier) @_f))) .))
  (#eq? @_m "_tm") (#eq? @_on "On") (#eq? @_m2 "_tm") (#eq? @_f "Branch")) @probe.branch
(if_statement condition: (call_expression function: (selector_expression operand: (identifier) @_m field: (field_identifier) @_on))
  consequence: (block (statement_list . (expression_statement (call_expression function: (selector_expression operand: (identifier) @_m2 field: (field_identifier) @_f))) .))
  (#eq? @_m "_tm") (#eq? @_on "On") (#eq? @_m2 "_tm") (#eq? @_f "Caught")) @probe.exception
(short_var_declaration left: (expression_list . (identifier) @_h .)
  right: (expression_list (call_expression function: (selector_expression operand: (identifier) @_m field: (field_identifier) @_f)))
  (#match? @_h "^__l[0-9]+$") (#eq? @_m "_tm") (#eq? @_f "Loop")) @probe.loop
(expression_statement (call_expression function: (selector_expression operand: (identifier) @_h field: (field_identifier) @_f))
  (#match? @_h "^__l[0-9]+$") (#eq? @_f "Tick")) @probe.tick
(expression_statement (call_expression function: (selector_expression operand: (identifier) @_h field: (field_identifier) @_f))
  (#match? @_h "^__l[0-9]+$") (#eq? @_f "Done")) @probe.done
