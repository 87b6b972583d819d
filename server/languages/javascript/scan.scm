; The light scan shared by JavaScript, TypeScript and TSX (workspace scans and `check`); see
; python/scan.scm. javascript/scan-grammar.scm and typescript/scan.scm add what differs.

(function_declaration name: (identifier) @name body: (statement_block) @body) @function
(generator_function_declaration name: (identifier) @name body: (statement_block) @body) @function
(function_expression name: (identifier)? @name body: (statement_block) @body) @function
(generator_function name: (identifier)? @name body: (statement_block) @body) @function
(arrow_function body: (statement_block) @body) @function
(method_definition name: (_) @name body: (statement_block) @body) @function
(arrow_function) @scope

(variable_declarator name: (identifier) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)
(assignment_expression left: [(identifier) (member_expression)] @name right: [(function_expression) (arrow_function) (generator_function)] @function.named)
(pair key: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)

(class_declaration name: (_) @class.name) @class
(class name: (_) @class.name) @class

; Skips (language.ts): a super() call in a TS constructor, a used yield without a return type.
(yield_expression) @yield
(expression_statement (yield_expression) @yield.unused)
(comment) @comment
(call_expression function: (super)) @super

(lexical_declaration (variable_declarator name: (identifier) @_t) (#eq? @_t "__tel")) @probe.entry
(import_statement (import_clause (namespace_import (identifier) @_a)) (#eq? @_a "_tm")) @probe.import
(lexical_declaration (variable_declarator name: (identifier) @_a value: (call_expression function: (identifier) @_r)) (#eq? @_a "_tm") (#eq? @_r "require")) @probe.import

(ERROR) @error
