// Ranks order insertions that share one offset (render sorts by offset, then rank). At a line
// start, what closes there comes first, innermost first (function exits and loop ends, by width),
// then what opens there, outermost first (function entries, then branch, loop and other probe
// lines), and last the indentation a re-indented body adds to the original line.

/** A function's entry: minus its width, so an outer function's opens first. */
export const OPEN_RANK = -1e9;
/** A function's exit, or a probe line after a statement: plus its width, so inner ones close first. */
export const CLOSE_RANK = 1e9;
/** A probe line opening a statement or block: minus its width, after every close. */
export const OPENING_LINE_RANK = 1.5e9;
/** The indentation unit a re-indented body adds at a line start. */
export const LINE_PREFIX_RANK = 2e9;
