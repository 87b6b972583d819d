// Reads JSONL event files one line at a time: the one reader behind `report`, `export`, the trace
// model, the viewer and replay. Yields each well-formed event with its line number and counts what
// it skips (lines that are not JSON objects, events missing their common fields, unknown types,
// events of another schema major version). Must never load a whole file into memory, never throw on a bad line, never modify a file.
import fs from 'node:fs';
import readline from 'node:readline';
import { EVENT_TYPES, SCHEMA_VERSION, type TelemetryEvent } from '../../../protocol/events.js';

export interface ReadCounts {
  /** Lines read, blank ones included. */
  lines: number;
  events: number;
  /** Lines that are not an event: not JSON, not an object, or missing a common field. */
  malformed: number;
  /** Well-formed events of a type this version does not know; skipped. */
  unknownType: number;
  /** The first line numbers of malformed lines, at most `LINES_KEPT`. */
  malformedLines: number[];
  /** Events whose `schema_version` is a major this version does not read; skipped. */
  otherVersion: number;
  /** The first such version seen (for the message), or null. */
  otherVersionSeen: number | null;
}

export interface EventLine {
  event: TelemetryEvent;
  /** 1-based line number in its file. */
  line: number;
  /** The raw line, for fields JSON.parse would round (timestamps beyond 2^53). */
  raw: string;
}

const LINES_KEPT = 20;
const KNOWN = new Set<string>(EVENT_TYPES);

export function emptyCounts(): ReadCounts {
  return { lines: 0, events: 0, malformed: 0, unknownType: 0, malformedLines: [], otherVersion: 0, otherVersionSeen: null };
}

/** The message a reader gives for events of another schema version, or undefined when there were none. */
export function otherVersionMessage(counts: ReadCounts, file: string): string | undefined {
  if (counts.otherVersion === 0) return undefined;
  return `${file}: ${counts.otherVersion} ${counts.otherVersion === 1 ? 'event' : 'events'} of event schema version ${counts.otherVersionSeen} skipped: this version of telemetry-injector reads version ${SCHEMA_VERSION}`;
}

/** Streams the events of one file; `counts` is updated as lines are read. */
export async function* readEvents(file: string, counts: ReadCounts = emptyCounts()): AsyncGenerator<EventLine> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const raw of lines) {
    const event = readLine(raw, counts);
    if (event) yield event;
  }
}

/**
 * Classifies one line (without its line break) as the next line of a file: the event, or undefined
 * when it is blank or skipped, with `counts` updated. For readers that split lines themselves
 * (the language server reads only the bytes appended to a file).
 */
export function readLine(raw: string, counts: ReadCounts): EventLine | undefined {
  const line = ++counts.lines;
  if (raw.trim() === '') return undefined;
  const event = parseEvent(raw);
  if (event === undefined) {
    counts.malformed++;
    if (counts.malformedLines.length < LINES_KEPT) counts.malformedLines.push(line);
    return undefined;
  }
  const version = event.schema_version ?? SCHEMA_VERSION;
  if (version !== SCHEMA_VERSION) {
    counts.otherVersion++;
    counts.otherVersionSeen ??= version;
    return undefined;
  }
  if (!KNOWN.has(event.event_type)) {
    counts.unknownType++;
    return undefined;
  }
  counts.events++;
  return { event, line, raw };
}

/** The event on one line, or undefined when the line is not one (a function_exit needs its duration). */
export function parseEvent(line: string): TelemetryEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const event = value as Record<string, unknown>;
  if (typeof event.event_type !== 'string' || typeof event.function_name !== 'string') return undefined;
  if (event.file !== undefined && typeof event.file !== 'string') return undefined;
  if (event.line !== undefined && typeof event.line !== 'number') return undefined;
  if (event.schema_version !== undefined && !(Number.isInteger(event.schema_version) && (event.schema_version as number) >= 1)) return undefined;
  if (event.event_type === 'function_exit') {
    const duration = event.duration_ns;
    if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) return undefined;
  }
  return event as unknown as TelemetryEvent;
}
