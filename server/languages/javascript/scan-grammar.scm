; The light scan's JavaScript-only patterns (see grammar.scm).

(field_definition property: (_) @name value: [(function_expression) (arrow_function) (generator_function)] @function.named)
