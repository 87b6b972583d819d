; The light scan's TypeScript and TSX patterns, on top of javascript/scan.scm; see sites.scm.

(public_field_definition name: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)
(abstract_class_declaration name: (_) @class.name) @class

(function_declaration return_type: (_) @return.type)
(function_expression return_type: (_) @return.type)
(arrow_function return_type: (_) @return.type)
(method_definition return_type: (_) @return.type)
(generator_function_declaration return_type: (_) @return.type)
(generator_function return_type: (_) @return.type)

; Deep sites that sites.scm adds to javascript/deep.scm: the scan counts them too.
(lexical_declaration (variable_declarator name: (_) @var.after type: (_) value: (_) @_value)
  (#match? @_value "^(null|undefined|\\[\\s*\\])$")) @var.stmt
(variable_declaration (variable_declarator name: (_) @var.after type: (_) value: (_) @_value)
  (#match? @_value "^(null|undefined|\\[\\s*\\])$")) @var.stmt
