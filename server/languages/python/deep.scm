; Deep sites for Python, read by server/src/engine/deep.ts:
;   @var.after   a binding target: a variable probe goes after the statement holding it
;   @var.enter   a binding target of a compound statement: the probe opens @enter.body
;   @branch.<label> (+ @condition)   the block a branch runs
;   @loop.<kind> (+ @loop.body)      a loop statement and the block each iteration runs
;   @exception.<clause>              the block a handler runs
;   @probe.<role>                    a deep probe statement already there
; Targets may be patterns: deep.patterns in language.ts says which nodes hold binding names.
;
; Nested nodes are often wildcards narrowed by a field that, where they stand, only one node type
; has (node-types.json; tests/unit/query-wildcards.test.ts checks each): `(_ name: …)` is a
; named_expression (a walrus), `(_ alias: …)` in a with_item an as_pattern, `(_ function: …)` a
; call, `(_ object: … attribute: …)` an attribute, `(_ left: … operator: ["and" "or"] …)` a
; boolean_operator. They match what the typed nodes match, but tree-sitter analyses every typed
; parent node when it compiles a query (about 1 ms each, several in a fresh process), and `check`
; compiles this file at start-up.

(expression_statement (assignment left: (_) @var.after right: (_)))
(expression_statement (assignment right: (assignment left: (_) @var.after right: (_))))
(expression_statement (augmented_assignment left: (identifier) @var.after))
(expression_statement (_ name: (identifier) @var.after))
(expression_statement (parenthesized_expression (_ name: (identifier) @var.after)))
(expression_statement (assignment right: (_ name: (identifier) @var.after)))

(for_statement left: (_) @var.enter body: (block) @enter.body)
(with_statement (with_clause (with_item value: (_ alias: (as_pattern_target (_) @var.enter)))) body: (block) @enter.body)
(if_statement condition: (_ name: (identifier) @var.enter) consequence: (block) @enter.body)
(if_statement condition: (parenthesized_expression (_ name: (identifier) @var.enter)) consequence: (block) @enter.body)
(if_statement condition: (comparison_operator . (parenthesized_expression (_ name: (identifier) @var.enter))) consequence: (block) @enter.body)

(if_statement condition: (_) @condition consequence: (block) @branch.if)
(elif_clause condition: (_) @condition consequence: (block) @branch.elif)
(if_statement alternative: (else_clause body: (block) @branch.else))
(case_clause (case_pattern) @condition consequence: (block) @branch.case)

(for_statement body: (block) @loop.body) @loop.for
(while_statement body: (block) @loop.body) @loop.while

(except_clause (block) @exception.except)
(finally_clause (block) @exception.finally)

; Probe statements the engine inserted (`__tel and _tm.<fn>(...)`, `__lN and __lN.<fn>()`).
(expression_statement (_ left: (identifier) @_t operator: ["and" "or"]
  right: (_ function: (_ object: (identifier) @_m attribute: (identifier) @_f)))
  (#eq? @_t "__tel") (#eq? @_m "_tm") (#eq? @_f "var")) @probe.variable
(expression_statement (_ left: (identifier) @_t operator: ["and" "or"]
  right: (_ function: (_ object: (identifier) @_m attribute: (identifier) @_f)))
  (#eq? @_t "__tel") (#eq? @_m "_tm") (#eq? @_f "branch")) @probe.branch
(expression_statement (_ left: (identifier) @_t operator: ["and" "or"]
  right: (_ function: (_ object: (identifier) @_m attribute: (identifier) @_f)))
  (#eq? @_t "__tel") (#eq? @_m "_tm") (#any-of? @_f "caught" "fin")) @probe.exception
(expression_statement (assignment left: (identifier) @_h
  right: (_ left: (identifier) @_t operator: ["and" "or"] right: (_ function: (_ object: (identifier) @_m attribute: (identifier) @_f))))
  (#match? @_h "^__l[0-9]+$") (#eq? @_t "__tel") (#eq? @_m "_tm") (#eq? @_f "loop")) @probe.loop
(expression_statement (_ left: (identifier) @_h operator: ["and" "or"]
  right: (_ function: (_ object: (identifier) @_o attribute: (identifier) @_f)))
  (#match? @_h "^__l[0-9]+$") (#eq? @_h @_o) (#eq? @_f "tick")) @probe.tick
(expression_statement (_ left: (identifier) @_h operator: ["and" "or"]
  right: (_ function: (_ object: (identifier) @_o attribute: (identifier) @_f)))
  (#match? @_h "^__l[0-9]+$") (#eq? @_h @_o) (#eq? @_f "done")) @probe.done
