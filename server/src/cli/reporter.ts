// Owns everything the CLI writes to stderr: notes (skipped files), warnings, errors, and progress
// when a run touches many files (`[n/total] path` lines, or one line redrawn with \r on a TTY).
// Must never write to stdout: stdout carries results (and JSON-RPC for `lsp`).

/** Progress is shown only above this many files: small runs stay quiet. */
export const PROGRESS_THRESHOLD = 50;

export interface ErrorStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Reporter {
  /** A TTY progress line is on screen and must be cleared before any other line. */
  private drawn = false;
  /** Errors reported so far: any makes the run exit with code 2. */
  errors = 0;

  constructor(private readonly stream: ErrorStream = process.stderr) {}

  note(message: string): void {
    this.line(`telemetry-injector: ${message}`);
  }

  warn(message: string): void {
    this.line(`telemetry-injector: warning: ${message}`);
  }

  error(message: string): void {
    this.errors++;
    this.line(`telemetry-injector: ${message}`);
  }

  /**
   * A status line (the LLM stage's progress): redrawn in place on a TTY; elsewhere written only
   * when `settled` (a step finished), so logs get one line per step.
   */
  status(text: string, settled = false): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[K${text}`);
      this.drawn = true;
    } else if (settled) this.stream.write(`telemetry-injector: ${text}\n`);
  }

  /** A progress counter for `total` files; silent at or below the threshold. */
  progress(total: number): Progress {
    let done = 0;
    const active = total > PROGRESS_THRESHOLD;
    return {
      tick: (label) => {
        done++;
        if (!active) return;
        if (this.stream.isTTY) {
          this.stream.write(`\r\x1b[K[${done}/${total}] ${label}`);
          this.drawn = true;
        } else {
          this.stream.write(`[${done}/${total}] ${label}\n`);
        }
      },
      finish: () => this.clear(),
    };
  }

  private line(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

export interface Progress {
  tick(label: string): void;
  finish(): void;
}
