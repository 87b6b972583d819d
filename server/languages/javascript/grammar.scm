; JavaScript-only patterns (the TypeScript grammar names these nodes differently).

(field_definition property: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)

(formal_parameters (identifier) @param)
(formal_parameters (assignment_pattern left: (identifier) @param))
(formal_parameters (rest_pattern (identifier) @param))
(formal_parameters (object_pattern (shorthand_property_identifier_pattern) @param))
(formal_parameters (object_pattern (pair_pattern value: (identifier) @param)))
(formal_parameters (array_pattern (identifier) @param))
