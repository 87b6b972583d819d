; The light scan of Go (workspace scans and `check`); see python/scan.scm.

(function_declaration name: (identifier) @name body: (block) @body) @function
(method_declaration name: (field_identifier) @name body: (block) @body) @function
(func_literal body: (block) @body) @function

(method_declaration receiver: (parameter_list (parameter_declaration type: [
  (type_identifier) @class.name
  (pointer_type (type_identifier) @class.name)
  (generic_type type: (type_identifier) @class.name)
  (pointer_type (generic_type type: (type_identifier) @class.name))]))) @class.receiver

(comment) @comment

(if_statement condition: (call_expression function: (selector_expression operand: (identifier) @_m field: (field_identifier) @_f))
  consequence: (block (statement_list . (defer_statement)))
  (#eq? @_m "_tm") (#eq? @_f "On")) @probe.entry
(import_declaration (import_spec name: (package_identifier) @_a) (#eq? @_a "_tm")) @probe.import

(ERROR) @error
