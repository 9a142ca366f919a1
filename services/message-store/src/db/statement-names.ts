import { createHash } from "node:crypto";

/** Statement texts each connection may prepare, unless configured. */
export const DEFAULT_PREPARED_STATEMENTS = 200;

/** Texts seen once are remembered up to this many; then the memory starts over. */
const SEEN_MAX = 4096;

/**
 * Which statements the store's Postgres connections prepare once and then execute by name.
 * Postgres parses and plans an unnamed statement at every execution, a large share of its work
 * for the store's short statements. A text is named from its second use, and at most `max` texts
 * are ever named in this process, so each connection of the pool holds at most `max` prepared
 * statements however many different texts pass by (an IN list of varying length, say).
 */
export class StatementNames {
  /** Text → its name; null for a text that must not be named (any more). */
  private readonly names = new Map<string, string | null>();
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** The name to execute `text` under, or undefined to send it unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined) return known ?? undefined;
    if (this.names.size >= this.max) return undefined;
    if (!this.seen.has(text)) {
      if (this.seen.size >= SEEN_MAX) this.seen.clear();
      this.seen.add(text);
      return undefined;
    }
    this.seen.delete(text);
    const name = `conduit_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }

  /** Sends `text` unnamed from now on (its prepared form went stale); it keeps its slot. */
  forget(text: string): void {
    this.names.set(text, null);
  }
}
