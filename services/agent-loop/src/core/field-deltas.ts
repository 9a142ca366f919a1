import type { FieldDelta } from "./argument-stream.js";

/**
 * The decoded text of watched fields: everything so far per key, and what the current push added.
 * Pieces are kept in arrays and joined once, so many small pieces cost linear time.
 */
export class FieldDeltas {
  private readonly values = new Map<string, string[]>();
  private added: FieldDelta[] = [];
  private addedKey: string | null = null;
  private addedParts: string[] = [];

  constructor(keys: readonly string[]) {
    for (const key of keys) this.values.set(key, []);
  }

  isWatched(key: string): boolean {
    return this.values.has(key);
  }

  append(key: string, text: string): void {
    this.values.get(key)?.push(text);
    if (this.addedKey !== key) {
      this.closePiece();
      this.addedKey = key;
    }
    this.addedParts.push(text);
  }

  /** What was appended since the last call, adjacent pieces of one key merged. */
  takeAdded(): FieldDelta[] {
    this.closePiece();
    const added = this.added;
    this.added = [];
    return added;
  }

  valueOf(key: string): string {
    const parts = this.values.get(key);
    if (!parts || parts.length === 0) return "";
    if (parts.length > 1) parts.splice(0, parts.length, parts.join(""));
    return parts[0]!;
  }

  private closePiece(): void {
    if (this.addedKey !== null && this.addedParts.length > 0) {
      const parts = this.addedParts;
      this.added.push({ key: this.addedKey, delta: parts.length === 1 ? parts[0]! : parts.join("") });
    }
    this.addedKey = null;
    this.addedParts = [];
  }
}
