// Streams chosen top-level string fields (`send_message`'s `message`, the injected `thinking`)
// out of a tool call's arguments while the model is still writing them. One pass with constant
// work per character: Letta re-parses the whole prefix on every delta, which is quadratic.
import { FieldDeltas } from "./field-deltas.js";
import { endsNumber, isJsonSpace, LITERALS, NOT_A_NUMBER, startNumber, stepNumber, type NumberStep } from "./json-grammar.js";
import { JsonStringDecoder } from "./json-string-decoder.js";

export interface FieldDelta {
  key: string;
  delta: string;
}

/** Where the scanner stands in the JSON grammar. */
type Mode =
  | "start" // before the top-level `{`
  | "keyOrEnd" // after `{`
  | "key" // after `,` in an object
  | "colon"
  | "value" // after `:`, or after `,` in an array
  | "valueOrEnd" // after `[`
  | "afterValue" // `,` or a closing bracket
  | "string"
  | "literal" // inside true, false or null
  | "number"
  | "done"
  | "malformed";

/** Which string is being read; only a top-level key's and a watched field's text is kept. */
type StringRole = "topKey" | "nestedKey" | "field" | "otherValue";

const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Watches a streaming JSON object and yields decoded pieces of chosen top-level string fields as
 * they arrive.
 *
 * Stricter than `JSON.parse` in one way: an unpaired surrogate (`"\ud83d"` alone) makes the
 * stream malformed, so every delta is well-formed text. A watched key that occurs twice keeps
 * appending: `valueOf` is then both values joined, because deltas already sent to a caller cannot
 * be taken back (`JSON.parse` keeps the last).
 */
export class ArgumentStream {
  private readonly fields: FieldDeltas;
  private readonly longestKey: number;
  private readonly text = new JsonStringDecoder((piece) => this.take(piece));
  private mode: Mode = "start";
  /** Open containers, innermost last: true for an object, false for an array. */
  private readonly open: boolean[] = [];
  private role: StringRole = "otherValue";
  /** The top-level key being read, decoded; null once it is longer than every watched key. */
  private keyText: string | null = "";
  /** The watched key whose value comes next (set after each top-level key). */
  private field: string | null = null;
  private literal = "";
  private literalAt = 0;
  private numberStep: NumberStep = 0;

  constructor(watchedKeys: readonly string[]) {
    this.fields = new FieldDeltas(watchedKeys);
    this.longestKey = Math.max(0, ...watchedKeys.map((k) => k.length));
  }

  get state(): "scanning" | "complete" | "malformed" {
    return this.mode === "done" ? "complete" : this.mode === "malformed" ? "malformed" : "scanning";
  }

  /**
   * Feeds the next piece of arguments text; returns the decoded text that piece added to watched
   * fields, in order (adjacent pieces of the same key merged). The piece that turns out malformed
   * still returns what it added before the error; every later push returns [].
   */
  push(chunk: string): FieldDelta[] {
    if (this.mode === "malformed") return [];
    let i = 0;
    while (i < chunk.length) {
      i = this.mode === "string" ? this.readString(chunk, i) : this.step(chunk.charCodeAt(i), i);
    }
    return this.fields.takeAdded();
  }

  /** The decoded value of a watched key seen so far ("" if none yet). */
  valueOf(key: string): string {
    return this.fields.valueOf(key);
  }

  /** Consumes one character outside strings; returns the index to continue from. */
  private step(c: number, i: number): number {
    const next = i + 1;
    if (isJsonSpace(c) && this.mode !== "literal" && this.mode !== "number") return next;
    switch (this.mode) {
      case "start":
        if (c !== OPEN_BRACE) return this.fail();
        this.open.push(true);
        this.mode = "keyOrEnd";
        return next;
      case "keyOrEnd":
      case "key":
        if (c === CLOSE_BRACE && this.mode === "keyOrEnd") return this.close(true, next);
        if (c !== QUOTE) return this.fail();
        this.beginString(this.open.length === 1 ? "topKey" : "nestedKey");
        return next;
      case "colon":
        if (c !== 0x3a) return this.fail();
        this.mode = "value";
        return next;
      case "value":
      case "valueOrEnd":
        if (c === CLOSE_BRACKET && this.mode === "valueOrEnd") return this.close(false, next);
        return this.beginValue(c, next);
      case "afterValue":
        if (c === 0x2c) {
          this.mode = this.open[this.open.length - 1] ? "key" : "value";
          return next;
        }
        if (c === CLOSE_BRACE || c === CLOSE_BRACKET) return this.close(c === CLOSE_BRACE, next);
        return this.fail();
      case "literal":
        if (c !== this.literal.charCodeAt(this.literalAt)) return this.fail();
        if (++this.literalAt === this.literal.length) this.mode = "afterValue";
        return next;
      case "number": {
        const step = stepNumber(this.numberStep, c);
        if (step !== NOT_A_NUMBER) {
          this.numberStep = step;
          return next;
        }
        if (!endsNumber(this.numberStep)) return this.fail();
        this.mode = "afterValue";
        return i; // the character after a number belongs to what follows it
      }
      case "done": // only whitespace may follow the object
      case "string": // never reached: push hands strings to readString
      case "malformed":
        return this.fail();
    }
  }

  private beginValue(c: number, next: number): number {
    const literal = LITERALS[String.fromCharCode(c)];
    if (c === QUOTE) {
      this.beginString(this.open.length === 1 && this.field !== null ? "field" : "otherValue");
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      this.open.push(c === OPEN_BRACE);
      this.mode = c === OPEN_BRACE ? "keyOrEnd" : "valueOrEnd";
    } else if (literal !== undefined) {
      this.literal = literal;
      this.literalAt = 1;
      this.mode = "literal";
    } else {
      const step = startNumber(c);
      if (step === NOT_A_NUMBER) return this.fail();
      this.numberStep = step;
      this.mode = "number";
    }
    return next;
  }

  private close(isObject: boolean, next: number): number {
    if (this.open.pop() !== isObject) return this.fail();
    this.mode = this.open.length === 0 ? "done" : "afterValue";
    return next;
  }

  private beginString(role: StringRole): void {
    this.role = role;
    this.mode = "string";
    if (role === "topKey") this.keyText = "";
    this.text.begin(role === "topKey" || role === "field");
  }

  private readString(chunk: string, from: number): number {
    const next = this.text.feed(chunk, from);
    if (this.text.state === "invalid") return this.fail();
    if (this.text.state === "open") return next;
    if (this.role === "topKey") {
      this.field = this.keyText !== null && this.fields.isWatched(this.keyText) ? this.keyText : null;
    }
    this.mode = this.role === "topKey" || this.role === "nestedKey" ? "colon" : "afterValue";
    return next;
  }

  private take(piece: string): void {
    if (this.role === "field") {
      this.fields.append(this.field!, piece);
    } else if (this.role === "topKey" && this.keyText !== null) {
      this.keyText += piece;
      if (this.keyText.length > this.longestKey) this.keyText = null; // too long to be watched
    }
  }

  /** Marks the stream malformed; returns a position past any chunk so scanning stops. */
  private fail(): number {
    this.mode = "malformed";
    return Number.POSITIVE_INFINITY;
  }
}
