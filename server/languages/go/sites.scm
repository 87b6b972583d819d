; Sites for Go. See python/sites.scm for capture names.

(function_declaration name: (identifier) @name body: (block) @body) @function
(method_declaration name: (field_identifier) @name body: (block) @body) @function
(func_literal body: (block) @body) @function

(method_declaration receiver: (parameter_list (parameter_declaration type: [
  (type_identifier) @class.name
  (pointer_type (type_identifier) @class.name)
  (generic_type type: (type_identifier) @class.name)
  (pointer_type (generic_type type: (type_identifier) @class.name))]))) @class.receiver

(function_declaration parameters: (parameter_list (parameter_declaration name: (identifier) @param)))
(method_declaration parameters: (parameter_list (parameter_declaration name: (identifier) @param)))
(func_literal parameters: (parameter_list (parameter_declaration name: (identifier) @param)))
(parameter_list (variadic_parameter_declaration name: (identifier) @param))

(comment) @comment
(package_clause) @package

(if_statement condition: (call_expression function: (selector_expression operand: (identifier) @_m field: (field_identifier) @_f))
  consequence: (block (statement_list . (defer_statement)))
  (#eq? @_m "_tm") (#eq? @_f "On")) @probe.entry
(import_declaration (import_spec name: (package_identifier) @_a) (#eq? @_a "_tm")) @probe.import

(ERROR) @error

; The receiver is recorded with the arguments.
(method_declaration receiver: (parameter_list (parameter_declaration name: (identifier) @param)))
