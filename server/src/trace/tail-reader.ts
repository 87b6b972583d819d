// Reads an event file as it grows: each call reads only the bytes appended since the last one,
// and only whole lines (a line still being written stays unread until its line break arrives).
// A file that shrank, was replaced (another inode) or was rewritten in place (its first bytes
// differ from those read before: a new run that writes more than the last one did) starts a new
// generation from its first byte.
// Lines are classified by event-stream.ts, the one reader, so counts mean the same everywhere.
// Must never hold more than one chunk and one unfinished line in memory, and never throw on content.
import fs from 'node:fs';
import { emptyCounts, readLine, type EventLine, type ReadCounts } from './event-stream.js';

const CHUNK = 1 << 20;
/** Bytes compared at the start of the file on each read. */
const HEAD_BYTES = 256;
/** A line longer than this is not an event a runtime writes: it is skipped (counted malformed). */
const LINE_LIMIT = 16 << 20;

export interface TailResult {
  /** The file was truncated or replaced: what was read before belongs to the previous generation. */
  restarted: boolean;
  /** Events read by this call. */
  events: number;
}

export class TailReader {
  /** Counts of the current generation. */
  counts: ReadCounts = emptyCounts();
  generation = 0;
  private offset = 0;
  private inode: number | null = null;
  /** The file's first bytes as last read, to tell a rewrite from an append. */
  private head: Buffer = Buffer.alloc(0);

  constructor(readonly file: string) {}

  /**
   * Reads what was appended; `onEvent` sees each event of whole lines, in order, after `onRestart`
   * when the file was truncated or replaced. A missing file: nothing read.
   */
  async read(onEvent: (line: EventLine) => void, onRestart: () => void = () => {}): Promise<TailResult> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(this.file);
    } catch {
      return { restarted: false, events: 0 };
    }
    let restarted = false;
    if ((this.inode !== null && stat.ino !== this.inode) || stat.size < this.offset || !(await this.sameHead())) {
      this.offset = 0;
      this.head = Buffer.alloc(0);
      this.counts = emptyCounts();
      this.generation++;
      restarted = true;
      onRestart();
    }
    this.inode = stat.ino;
    if (stat.size === this.offset) return { restarted, events: 0 };
    const before = this.counts.events;
    const handle = await fs.promises.open(this.file, 'r');
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let position = this.offset;
      const buffer = Buffer.allocUnsafe(CHUNK);
      while (position < stat.size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, stat.size - position), position);
        if (bytesRead === 0) break;
        let start = 0;
        for (let nl = buffer.indexOf(10, 0); nl !== -1 && nl < bytesRead; nl = buffer.indexOf(10, start)) {
          const piece = buffer.subarray(start, nl);
          const tooLong = pendingBytes + piece.length > LINE_LIMIT;
          this.line(tooLong ? null : pendingBytes > 0 ? Buffer.concat([...pending, piece]) : piece, onEvent);
          pending = [];
          pendingBytes = 0;
          start = nl + 1;
          this.offset = position + start;
        }
        if (start < bytesRead) {
          // Keep the unfinished tail (a copy: the buffer is reused), unless it is already too long to be an event.
          if (pendingBytes <= LINE_LIMIT) pending.push(Buffer.from(buffer.subarray(start, bytesRead)));
          pendingBytes += bytesRead - start;
        }
        position += bytesRead;
      }
      if (this.head.length < HEAD_BYTES) {
        const head = Buffer.alloc(Math.min(HEAD_BYTES, stat.size));
        const { bytesRead } = await handle.read(head, 0, head.length, 0);
        this.head = head.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
    return { restarted, events: this.counts.events - before };
  }

  /** True when the file still starts with the bytes read before (or none were). */
  private async sameHead(): Promise<boolean> {
    if (this.head.length === 0) return true;
    try {
      const handle = await fs.promises.open(this.file, 'r');
      try {
        const now = Buffer.alloc(this.head.length);
        const { bytesRead } = await handle.read(now, 0, now.length, 0);
        return bytesRead === now.length && now.equals(this.head);
      } finally {
        await handle.close();
      }
    } catch {
      return true;
    }
  }

  private line(bytes: Buffer | null, onEvent: (line: EventLine) => void): void {
    const text = bytes === null ? '\u0000' : bytes.toString('utf8').replace(/\r$/, '');
    const event = readLine(text, this.counts);
    if (event) onEvent(event);
  }
}
