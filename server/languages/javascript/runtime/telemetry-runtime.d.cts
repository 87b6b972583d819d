// Types for telemetry-runtime.cjs, the module that telemetry-injector's probes call.
// Every function accepts `false` for a span (telemetry was off when the call began) and then
// does nothing but return its value, so probes type-check whatever the switch was.

declare const spanBrand: unique symbol;
declare const loopBrand: unique symbol;

/** One instrumented call in progress. Opaque: only the runtime reads it. */
export interface Span {
  readonly [spanBrand]: true;
}

/** Whether events are being written now. Probes call this before anything else. */
export declare function on(): boolean;

/** Starts a span for a call, makes it current and writes `function_entry`. */
export declare function enter(name: string, file: string, line: number, args?: Record<string, unknown>): Span | false;

/** Records a preview of the value a call returns, and returns the value unchanged. */
export declare function ret<T>(span: Span | false, value: T): T;

/**
 * Any value, spelt so that a template literal checked against it keeps its template literal type
 * (`other:${x}` returned where `` `other:${string}` `` is declared): `unknown` would widen it to string.
 */
type Returnable = string | {} | null | undefined | void;

/** `ret` in a function with a written return type: the value is checked against that type. */
export declare function retTyped<T extends Returnable>(span: Span | false, value: T): T;

/**
 * `ret` of an awaited value in an async function with a written return type: its
 * `T | PromiseLike<T>` lets a `Promise<this>` (or `Promise<T>`) return type reach the awaited call.
 */
export declare function retAwaited<T extends Returnable>(span: Span | false, value: T): T | PromiseLike<T>;

/** Records the error a call is exiting with. */
export declare function fail(span: Span | false, error: unknown): void;

/** Writes `function_exit` and gives the context back to the caller. */
export declare function exit(span: Span | false): void;

/** Before an `await` or `yield` gives up control: the caller's span becomes current again. */
export declare function suspend<T>(span: Span | false, value: T): T;
/** Before a bare `yield`. */
export declare function suspend(span: Span | false): undefined;

/** After an `await` or `yield` returns: this call's span becomes current again. */
export declare function resume<T>(span: Span | false, value: T): T;

/** How many events were lost because the sink could not be written. */
export declare function dropped(): number;

/**
 * One run of a loop statement in a call. The loop body's first statement counts an iteration
 * with `__l0 && __l0.n++;`, which calls nothing.
 */
export interface Loop {
  n: number;
  readonly [loopBrand]: true;
}

/** Writes `variable_change`; without `value` (the engine redacted it) nothing of the value is shown. */
declare function variable(span: Span | false, rel: number, name: string, value?: unknown): void;
export { variable as var };

/** Writes `branch` for the branch taken (`if`, `else`, `case`, `default`) and its condition's text. */
export declare function branch(span: Span | false, rel: number, label: string, condition?: string | null): void;

/** Writes `loop_entry` and returns the loop that the body counts, or `false`. */
export declare function loop(span: Span | false, rel: number, kind: string): Loop | false;

/** Writes `loop_exit` for the loop and for every loop opened after it that is still open. */
export declare function done(loop: Loop | false): void;

/** First statement of a catch block: writes `exception`, with the catch binding when there is one. */
export declare function caught(span: Span | false, rel: number, error?: unknown): void;

/** First statement of a finally block: writes `exception` (its error is unknown, so null). */
export declare function fin(span: Span | false, rel: number): void;

/** What the OTLP exporter did so far (items: spans and log records), or null when no OTLP endpoint is set. */
export declare function otlpStats(): { sent: number; failed: number; dropped: number } | null;
