// Owns the function id: one stable string per function, `path::qualified.name::kind`, with `::2`,
// `::3`… after the second and later functions of a file that share name and kind (in document
// order). It holds no line or offset, so edits above a function keep its id. Diagnostics data, the
// workspace store, check's JSON and SARIF, and baselines all join on it; treat it as opaque.
// Must never include positions or text, and never depend on anything but the file's functions in order.

/** What an id is made of; `name` is the engine's qualified display name (`Class.method`, `outer.<anonymous>`). */
export interface IdSite {
  name: string;
  /** Grammar node type, e.g. `function_definition`. */
  kind: string;
}

/** The ids of a file's functions, in the order given (the engine's document order); `relPath` uses `/`. */
export function functionIds(relPath: string, functions: readonly IdSite[]): string[] {
  const seen = new Map<string, number>();
  return functions.map(({ name, kind }) => {
    const base = `${relPath}::${name}::${kind}`;
    const ordinal = (seen.get(base) ?? 0) + 1;
    seen.set(base, ordinal);
    return ordinal === 1 ? base : `${base}::${ordinal}`;
  });
}
