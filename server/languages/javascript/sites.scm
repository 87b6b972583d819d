; Sites shared by JavaScript, TypeScript and TSX. See python/sites.scm for capture names.
; javascript/grammar.scm and typescript/sites.scm add what differs between the grammars.

(function_declaration name: (identifier) @name body: (statement_block) @body) @function
(generator_function_declaration name: (identifier) @name body: (statement_block) @body) @function
(function_expression name: (identifier)? @name body: (statement_block) @body) @function
(generator_function name: (identifier)? @name body: (statement_block) @body) @function
(arrow_function body: (statement_block) @body) @function
(method_definition name: (_) @name body: (statement_block) @body) @function
(arrow_function) @scope

; Names for anonymous functions come from where they are stored: only a name-like left-hand side
; (`f`, `a.b.f`, `this.f`) names one. A function stored into a destructuring pattern or a subscript
; keeps its positional name, as anonymous functions do.
(variable_declarator name: (identifier) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)
(assignment_expression left: [(identifier) (member_expression)] @name right: [(function_expression) (arrow_function) (generator_function)] @function.named)
(pair key: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)

(class_declaration name: (_) @class.name) @class
(class name: (_) @class.name) @class

(arrow_function parameter: (identifier) @param)

(return_statement (_) @return.value)
(yield_expression) @yield
(expression_statement (yield_expression) @yield.unused)
(await_expression) @await
(comment) @comment
(call_expression function: (super)) @super

(statement_block (expression_statement (string)) @prologue)
(program (expression_statement (string)) @prologue.module)
(import_statement) @module.syntax
(export_statement) @module.syntax

(lexical_declaration (variable_declarator name: (identifier) @_t) (#eq? @_t "__tel")) @probe.entry
(import_statement (import_clause (namespace_import (identifier) @_a)) (#eq? @_a "_tm")) @probe.import
(lexical_declaration (variable_declarator name: (identifier) @_a value: (call_expression function: (identifier) @_r)) (#eq? @_a "_tm") (#eq? @_r "require")) @probe.import
(call_expression function: (member_expression object: (identifier) @_w) (#eq? @_w "_tm")) @probe.call

(ERROR) @error
