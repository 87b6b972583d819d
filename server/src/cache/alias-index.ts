// Aliases: the key of a function's lines exactly as they stand (indentation and all), pointing at the
// memory entry that the function's own key found. A function asked for again unchanged (each code
// action, each fixAll, each pool task on the same document) is hashed as it stands and skips
// building its normalised block and key: most of a hit's cost. Memory only; the disk keeps keys.
// Must never lead to an entry for other text: an alias keeps the whole text it hashes and a hit must
// match it, as entries do. Whether the entry is still the cache's is PlanCache's check.
import { LRUCache } from 'lru-cache';
import type { Keyed } from './cache-key.js';

interface Alias<E> {
  head: string;
  /** A copy: the function's lines sliced from a document would keep the whole document alive. */
  body: string;
  /** The key of the entry, and the entry it found. */
  key: string;
  entry: E;
}

export class AliasIndex<E extends object> {
  private readonly lru: LRUCache<string, Alias<E>>;

  constructor(max: number) {
    this.lru = new LRUCache({ max });
  }

  /** The key and entry `alias` was set for, when the text it hashes is this very text. */
  find(alias: Keyed): { key: string; entry: E } | undefined {
    const found = this.lru.get(alias.key);
    return found && found.body === alias.body && found.head === alias.head ? found : undefined;
  }

  set(alias: Keyed, key: string, entry: E): void {
    this.lru.set(alias.key, { head: alias.head, body: ownCopy(alias.body), key, entry });
  }
}

/** `text` in a string of its own (UTF-16 code units survive the round trip exactly). */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
