import { hexValue, SHORT_ESCAPES } from "./json-grammar.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HIGH_SURROGATE = 0xd800;
const LOW_SURROGATE = 0xdc00;
const AFTER_SURROGATES = 0xe000;

/**
 * Decodes the text of one JSON string (after its opening quote) arriving in pieces, and hands it
 * on in runs: one slice per run of plain characters, one piece per escape. A high surrogate is
 * held until its low half arrives, so every piece is well-formed text; an unpaired surrogate,
 * raw or escaped, makes the string invalid (`JSON.parse` would let it through).
 */
export class JsonStringDecoder {
  state: "open" | "closed" | "invalid" = "closed";
  private keep = false;
  private phase: "text" | "escape" | "unicode" = "text";
  /** The previous code unit was a high surrogate. */
  private afterHigh = false;
  /** A high surrogate not yet handed on (0 when none). */
  private heldHigh = 0;
  private hex = 0;
  private hexDigits = 0;

  constructor(private readonly take: (text: string) => void) {}

  /** Starts a string; with `keep` false its text is checked but not handed on. */
  begin(keep: boolean): void {
    this.state = "open";
    this.keep = keep;
    this.phase = "text";
    this.afterHigh = false;
    this.heldHigh = 0;
  }

  /** Decodes from `from` to the closing quote or the chunk's end; returns the index after what it used. */
  feed(chunk: string, from: number): number {
    let i = from;
    while (i < chunk.length && this.state === "open") {
      i = this.phase === "text" ? this.scanText(chunk, i) : this.escaped(chunk.charCodeAt(i), i + 1);
    }
    return i;
  }

  private scanText(chunk: string, from: number): number {
    let start = from; // where the run not yet handed on begins
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === QUOTE || c === BACKSLASH) {
        this.flush(chunk, start, i);
        if (c === BACKSLASH) this.phase = "escape";
        else if (this.afterHigh) this.state = "invalid";
        else this.state = "closed";
        return i + 1;
      }
      if (c < 0x20) return this.invalid(); // control characters must be escaped
      if (c < HIGH_SURROGATE || c >= AFTER_SURROGATES) {
        if (this.afterHigh) return this.invalid();
      } else if (c < LOW_SURROGATE) {
        if (this.afterHigh) return this.invalid();
        this.afterHigh = true;
      } else {
        if (!this.afterHigh) return this.invalid();
        this.afterHigh = false;
        if (this.heldHigh !== 0) {
          this.hand(String.fromCharCode(this.heldHigh, c));
          this.heldHigh = 0;
          start = i + 1;
        }
      }
    }
    this.flush(chunk, start, chunk.length);
    return chunk.length;
  }

  /** Hands on a run of plain characters, holding back a trailing high surrogate. */
  private flush(chunk: string, start: number, end: number): void {
    if (!this.keep || end === start) return;
    if (this.afterHigh) this.heldHigh = chunk.charCodeAt(--end);
    if (end > start) this.take(chunk.slice(start, end));
  }

  /** One character of an escape, after `\` or inside `\uXXXX`. */
  private escaped(c: number, next: number): number {
    if (this.phase === "escape") {
      if (c === 0x75) {
        this.phase = "unicode";
        this.hex = 0;
        this.hexDigits = 0;
        return next;
      }
      const unit = SHORT_ESCAPES[String.fromCharCode(c)];
      return unit === undefined ? this.invalid() : this.unit(unit, next);
    }
    const digit = hexValue(c);
    if (digit < 0) return this.invalid();
    this.hex = this.hex * 16 + digit;
    return ++this.hexDigits === 4 ? this.unit(this.hex, next) : next;
  }

  /** Takes one code unit decoded from an escape. */
  private unit(u: number, next: number): number {
    this.phase = "text";
    if (u >= LOW_SURROGATE && u < AFTER_SURROGATES) {
      if (!this.afterHigh) return this.invalid();
      this.afterHigh = false;
      this.hand(String.fromCharCode(this.heldHigh, u));
      this.heldHigh = 0;
    } else if (this.afterHigh) {
      return this.invalid();
    } else if (u >= HIGH_SURROGATE && u < LOW_SURROGATE) {
      this.afterHigh = true;
      this.heldHigh = u;
    } else {
      this.hand(String.fromCharCode(u));
    }
    return next;
  }

  private hand(text: string): void {
    if (this.keep) this.take(text);
  }

  private invalid(): number {
    this.state = "invalid";
    return Number.POSITIVE_INFINITY;
  }
}
