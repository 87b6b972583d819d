; TypeScript and TSX patterns, on top of javascript/sites.scm.

(public_field_definition name: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)
(abstract_class_declaration name: (_) @class.name) @class

; Parameters carry their names in patterns.
(formal_parameters (required_parameter pattern: (identifier) @param))
(formal_parameters (optional_parameter pattern: (identifier) @param))
(formal_parameters (required_parameter pattern: (rest_pattern (identifier) @param)))
(formal_parameters (required_parameter pattern: (object_pattern (shorthand_property_identifier_pattern) @param)))
(formal_parameters (required_parameter pattern: (array_pattern (identifier) @param)))

; A written return type: returns get a wrap that checks the value against it (see language.ts).
(function_declaration return_type: (_) @return.type)
(function_expression return_type: (_) @return.type)
(arrow_function return_type: (_) @return.type)
(method_definition return_type: (_) @return.type)
(generator_function_declaration return_type: (_) @return.type)
(generator_function return_type: (_) @return.type)

; Declarations javascript/deep.scm leaves out for their evolving type, when the type is written.
(lexical_declaration (variable_declarator name: (_) @var.after type: (_) value: (_) @_value)
  (#match? @_value "^(null|undefined|\\[\\s*\\])$")) @var.stmt
(variable_declaration (variable_declarator name: (_) @var.after type: (_) value: (_) @_value)
  (#match? @_value "^(null|undefined|\\[\\s*\\])$")) @var.stmt
