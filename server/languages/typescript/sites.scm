; TypeScript and TSX patterns, on top of javascript/sites.scm.

(public_field_definition name: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)
(abstract_class_declaration name: (_) @class.name) @class

; Parameters carry their names in patterns.
(formal_parameters (required_parameter pattern: (identifier) @param))
(formal_parameters (optional_parameter pattern: (identifier) @param))
(formal_parameters (required_parameter pattern: (rest_pattern (identifier) @param)))
(formal_parameters (required_parameter pattern: (object_pattern (shorthand_property_identifier_pattern) @param)))
(formal_parameters (required_parameter pattern: (array_pattern (identifier) @param)))
