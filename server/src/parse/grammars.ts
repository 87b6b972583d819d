// Owns web-tree-sitter initialisation, grammar loading and compiled queries, once per process
// (or per worker). Never keeps trees: callers own the trees they parse and delete() them.
import { readFileSync } from 'node:fs';
import { Language, Parser, Query, type Tree } from 'web-tree-sitter';
import { packagePath } from '../paths.js';
import type { LanguageSpec } from '../languages/spec.js';

interface Loaded {
  language: Language;
  parser: Parser;
  /** Compiled on first use, as the scan query: `check` needs only the scan's (start-up). */
  sites?: Query;
  /** Compiled on first use: a process that never scans never pays for it. */
  scan?: Query;
  /** The scan query without its `@comment` captures, for texts holding no ignore comment. */
  scanNoComments?: Query;
}

/**
 * Captures the light scan never reads: a branch's condition text only labels a planned probe.
 * Left out of the scan query's matches, they cost nothing to hand across from WebAssembly.
 */
const SCAN_UNREAD = ['condition'];

/**
 * Parse deadline: error recovery on pathological input must not stall the server. A parse is
 * stopped once it has run this long and also done more work than a 2 MB file of ordinary code
 * needs, counted in tree-sitter's progress calls (one per fixed number of parse operations); on a
 * loaded machine the clock alone would stop ordinary large files.
 */
const PARSE_DEADLINE_MS = 5_000;
const PARSE_DEADLINE_CALLS = 60_000;

/** The sites query of a language: its query files, concatenated. */
export function querySource(spec: LanguageSpec, files: readonly string[] = spec.queries): string {
  return files.map((file) => readFileSync(packagePath(file), 'utf8')).join('\n');
}

/**
 * The WebAssembly memory of this thread's tree-sitter binding, handed to its first Parser.init so
 * that its size can be read: it grows with the largest tree parsed and never shrinks, which is why
 * pool workers are recycled past a ceiling (pool.ts). One per thread, as the binding itself is.
 */
let bindingMemory: WebAssembly.Memory | undefined;

/** Bytes of this thread's tree-sitter WebAssembly memory (when another caller initialised the binding first, only the unused initial size). */
export function wasmMemoryBytes(): number {
  return bindingMemory?.buffer.byteLength ?? 0;
}

export class Grammars {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly ready = new Map<string, Loaded>();

  static async create(): Promise<Grammars> {
    // The binding's defaults (32 MiB to start, 2 GiB at most), with the memory kept in reach.
    bindingMemory ??= new WebAssembly.Memory({ initial: 512, maximum: 32768 });
    await Parser.init({ wasmMemory: bindingMemory });
    return new Grammars();
  }

  /** Loads the grammar (its queries compile on first use); idempotent. */
  load(spec: LanguageSpec): Promise<void> {
    let pending = this.loaded.get(spec.id);
    if (!pending) {
      pending = (async () => {
        const language = await Language.load(packagePath(spec.grammar));
        const parser = new Parser();
        parser.setLanguage(language);
        const loaded: Loaded = { language, parser };
        this.ready.set(spec.id, loaded);
        return loaded;
      })();
      this.loaded.set(spec.id, pending);
    }
    return pending.then(() => undefined);
  }

  private get(spec: LanguageSpec): Loaded {
    const loaded = this.ready.get(spec.id);
    if (!loaded) throw new Error(`grammar for ${spec.id} is not loaded; await load() first`);
    return loaded;
  }

  /** Parses `text`, reusing `oldTree` when it was edited to match. Throws on timeout. */
  parse(spec: LanguageSpec, text: string, oldTree?: Tree | null): Tree {
    // setTimeoutMicros is broken in web-tree-sitter 0.25.10 (BigInt conversion); the progress
    // callback cancels instead.
    const deadline = performance.now() + PARSE_DEADLINE_MS;
    let calls = 0;
    const tree = this.get(spec).parser.parse(text, oldTree ?? null, {
      progressCallback: () => ++calls > PARSE_DEADLINE_CALLS && performance.now() > deadline,
    });
    if (!tree) throw new Error(`parse of ${spec.id} text timed out`);
    return tree;
  }

  sitesQuery(spec: LanguageSpec): Query {
    const loaded = this.get(spec);
    return (loaded.sites ??= new Query(loaded.language, querySource(spec)));
  }

  /**
   * The light scan query (spec.scanQueries). `comments: false` when the text holds no ignore
   * comment: then no comment can matter, and the query's comment captures (one per comment in
   * the file) are left out.
   */
  scanQuery(spec: LanguageSpec, options: { comments?: boolean } = {}): Query {
    const loaded = this.get(spec);
    const compile = (...unread: string[]) => {
      const query = new Query(loaded.language, querySource(spec, spec.scanQueries));
      for (const name of [...SCAN_UNREAD, ...unread]) query.disableCapture(name);
      return query;
    };
    if (options.comments === false) return (loaded.scanNoComments ??= compile('comment'));
    return (loaded.scan ??= compile());
  }
}
