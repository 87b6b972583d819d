; Deep sites for JavaScript and TypeScript (capture names as in python/deep.scm; @var.stmt names the
; statement a probe follows, so a declaration in a for header is never taken for one).
; Braceless bodies (`if (x) y();`, `for (;;) y();`) are not sites: their probes would need braces.

; A declaration holding `null`, `undefined` or `[]` gets no probe: without a type annotation its
; variable's type is still evolving there, and TypeScript (and checkJs) rejects reading it (TS7005,
; TS7034); typescript/sites.scm puts the probe back where the declaration has a type. For the same
; reason an assignment of `[]` gets none.
(lexical_declaration (variable_declarator name: (_) @var.after value: (_) @_value)
  (#not-match? @_value "^(null|undefined|\\[\\s*\\])$")) @var.stmt
(variable_declaration (variable_declarator name: (_) @var.after value: (_) @_value)
  (#not-match? @_value "^(null|undefined|\\[\\s*\\])$")) @var.stmt
(expression_statement (assignment_expression left: (identifier) @var.after right: (_) @_value)
  (#not-match? @_value "^\\[\\s*\\]$")) @var.stmt
(expression_statement (augmented_assignment_expression left: (identifier) @var.after)) @var.stmt
(expression_statement (update_expression argument: (identifier) @var.after)) @var.stmt

(for_in_statement kind: _ left: (_) @var.enter body: (statement_block) @enter.body)

(if_statement condition: (parenthesized_expression (_) @condition) consequence: (statement_block) @branch.if)
(else_clause (statement_block) @branch.else)
(switch_case value: (_) @condition) @branch.case
(switch_default) @branch.default

(for_statement body: (statement_block) @loop.body) @loop.for
(for_in_statement operator: "in" body: (statement_block) @loop.body) @loop.for-in
(for_in_statement operator: "of" body: (statement_block) @loop.body) @loop.for-of
(while_statement body: (statement_block) @loop.body) @loop.while
(do_statement body: (statement_block) @loop.body) @loop.do

(catch_clause parameter: (_)? @exception.binding body: (statement_block) @exception.catch)
(finally_clause body: (statement_block) @exception.finally)

; Probe statements the engine inserted (`__tel && _tm.<fn>(...);`, loop handles `__lN`).
(expression_statement (binary_expression left: (identifier) @_t
  right: (call_expression function: (member_expression object: (identifier) @_m property: (property_identifier) @_f)))
  (#eq? @_t "__tel") (#eq? @_m "_tm") (#eq? @_f "var")) @probe.variable
(expression_statement (binary_expression left: (identifier) @_t
  right: (call_expression function: (member_expression object: (identifier) @_m property: (property_identifier) @_f)))
  (#eq? @_t "__tel") (#eq? @_m "_tm") (#eq? @_f "branch")) @probe.branch
(expression_statement (binary_expression left: (identifier) @_t
  right: (call_expression function: (member_expression object: (identifier) @_m property: (property_identifier) @_f)))
  (#eq? @_t "__tel") (#eq? @_m "_tm") (#any-of? @_f "caught" "fin")) @probe.exception
(lexical_declaration (variable_declarator name: (identifier) @_h
  value: (binary_expression left: (identifier) @_t right: (call_expression function: (member_expression object: (identifier) @_m property: (property_identifier) @_f))))
  (#match? @_h "^__l[0-9]+$") (#eq? @_t "__tel") (#eq? @_m "_tm") (#eq? @_f "loop")) @probe.loop
(expression_statement (binary_expression left: (identifier) @_h
  right: (update_expression argument: (member_expression object: (identifier) @_o property: (property_identifier) @_f)))
  (#match? @_h "^__l[0-9]+$") (#eq? @_h @_o) (#eq? @_f "n")) @probe.tick
(expression_statement (binary_expression left: (identifier) @_h
  right: (call_expression function: (member_expression object: (identifier) @_m property: (property_identifier) @_f)))
  (#match? @_h "^__l[0-9]+$") (#eq? @_m "_tm") (#eq? @_f "done")) @probe.done
