import { describe, expect, it } from "vitest";
import { ArgumentStream, type FieldDelta } from "../src/core/argument-stream.js";

const WATCHED = ["thinking", "message"] as const;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds `pieces` in order; returns everything pushed out, and the stream. */
function feed(pieces: readonly string[], keys: readonly string[] = WATCHED) {
  const stream = new ArgumentStream(keys);
  const deltas: FieldDelta[] = [];
  for (const piece of pieces) deltas.push(...stream.push(piece));
  return { stream, deltas };
}

const textOf = (deltas: readonly FieldDelta[], key: string) =>
  deltas.filter((d) => d.key === key).map((d) => d.delta).join("");

/** `text` split into pieces of `sizes()` characters. */
function split(text: string, sizes: () => number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = Math.max(1, sizes());
    pieces.push(text.slice(i, i + size));
    i += size;
  }
  return pieces;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Characters that stress the decoder: quotes, backslashes, every control character (escaped by
// JSON.stringify as \n or \u001f), a slash, non-ASCII, a non-BMP emoji, U+2028, and letters.
const ALPHABET = [
  '"', "\\", "/", "é", "中", "😀", "🎉", "\u2028", "\u007f", " ", "a", "b", "z", "{", "}", "[", ":", ",",
  ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)),
];
const KEYS = ["message", "thinking", "request_heartbeat", "other", "messages", "think"];

function generator(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
  const string = () => Array.from({ length: int(random() < 0.2 ? 200 : 12) }, () => pick(ALPHABET)).join("");
  const number = () => pick([0, -0, 1, -17, 3.25, -0.001, 1e21, 6.02e-23, int(1e9)]);
  const value = (depth: number): unknown => {
    const kind = int(depth > 2 ? 4 : 6);
    if (kind === 0) return string();
    if (kind === 1) return number();
    if (kind === 2) return pick([true, false]);
    if (kind === 3) return null;
    if (kind === 4) return Array.from({ length: int(4) }, () => value(depth + 1));
    return object(depth + 1);
  };
  // Nested objects reuse the watched key names, which must not be picked up.
  const object = (depth: number) => {
    const entries: [string, unknown][] = Array.from({ length: int(4) }, () => [pick(KEYS), value(depth)]);
    return Object.fromEntries(entries);
  };
  return (): Record<string, unknown> => {
    const top = object(0);
    if (random() < 0.8) top.thinking = string();
    if (random() < 0.8) top.message = random() < 0.8 ? string() : value(1);
    if (random() < 0.5) top.request_heartbeat = random() < 0.5;
    return top;
  };
}

describe("ArgumentStream", () => {
  it("streams each watched top-level string exactly as JSON.parse decodes it, however the text is split", () => {
    const random = prng(20261122);
    const nextObject = generator(random);
    for (let n = 0; n < 400; n++) {
      const object = nextObject();
      const text = JSON.stringify(object, null, n % 3 === 0 ? 2 : undefined);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const splits = [() => 1, () => 1 + Math.floor(random() * 7), () => 1 + Math.floor(random() * 90)];
      for (const sizes of splits) {
        const { stream, deltas } = feed(split(text, sizes));
        for (const key of WATCHED) {
          const expected = typeof parsed[key] === "string" ? parsed[key] : "";
          expect(textOf(deltas, key), `case ${n}, ${key} of ${text}`).toBe(expected);
          expect(stream.valueOf(key)).toBe(expected);
        }
        for (const { delta } of deltas) {
          expect(delta).not.toBe("");
          expect(delta, `case ${n}`).not.toMatch(LONE_SURROGATE);
        }
        expect(stream.state).toBe("complete");
      }
    }
  });

  it("completes exactly when JSON.parse accepts the text as an object, for randomly damaged arguments", () => {
    const random = prng(42);
    const nextObject = generator(random);
    const damage = ['"', "\\", "{", "}", "[", "]", ":", ",", " ", "0", "-", ".", "e", "t", "u", "x"];
    for (let n = 0; n < 2000; n++) {
      let text = JSON.stringify(nextObject());
      for (let edits = 1 + Math.floor(random() * 2); edits > 0; edits--) {
        const at = Math.floor(random() * (text.length + 1));
        const insert = random() < 0.7 ? damage[Math.floor(random() * damage.length)]! : "";
        text = text.slice(0, at) + insert + text.slice(at + (random() < 0.5 ? 1 : 0));
      }
      if (LONE_SURROGATE.test(text)) continue; // JSON.parse accepts these; the stream refuses them
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const isObject = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
      const { stream } = feed(split(text, () => 1 + Math.floor(random() * 5)));
      if (isObject) expect(stream.state, text).toBe("complete");
      else expect(stream.state, text).not.toBe("complete");
    }
  });

  it("decodes every escape when the text is split at each position", () => {
    const text = String.raw`{"message":"a\n\"\\\/\b\f\r\t\u00e9\u00E9z"}`;
    for (let at = 0; at <= text.length; at++) {
      for (let at2 = at; at2 <= text.length; at2++) {
        const { stream, deltas } = feed([text.slice(0, at), text.slice(at, at2), text.slice(at2)]);
        expect(textOf(deltas, "message"), `split at ${at}, ${at2}`).toBe('a\n"\\/\b\f\r\tééz');
        expect(stream.state).toBe("complete");
      }
    }
  });

  it("never splits a surrogate pair between deltas, escaped or raw, at any split position", () => {
    const texts = [
      String.raw`{"message":"x\ud83d\ude00y"}`,
      '{"message":"x😀y"}',
      '{"message":"x\\ud83d\ude00y"}', // escaped high half, raw low half
      '{"message":"x\ud83d\\ude00y"}', // raw high half, escaped low half
    ];
    for (const text of texts) {
      for (let at = 0; at <= text.length; at++) {
        const { stream, deltas } = feed([text.slice(0, at), text.slice(at)]);
        expect(textOf(deltas, "message"), `${text} split at ${at}`).toBe(JSON.parse(text).message);
        for (const { delta } of deltas) expect(delta, `${text} split at ${at}`).not.toMatch(LONE_SURROGATE);
        expect(stream.state).toBe("complete");
      }
    }
  });

  it("holds a high surrogate back until its low half arrives", () => {
    const stream = new ArgumentStream(["message"]);
    expect(stream.push('{"message":"a\\ud83d')).toEqual([{ key: "message", delta: "a" }]);
    expect(stream.push("\\ude")).toEqual([]);
    expect(stream.push('00"}')).toEqual([{ key: "message", delta: "😀" }]);
  });

  it("ignores watched key names inside nested objects and arrays", () => {
    const text = '{"a":{"message":"no","thinking":"no"},"b":[{"message":"no"},"message"],"message":"yes"}';
    const { stream, deltas } = feed([text]);
    expect(deltas).toEqual([{ key: "message", delta: "yes" }]);
    expect(stream.valueOf("thinking")).toBe("");
    expect(stream.state).toBe("complete");
  });

  it("yields nothing for a watched key whose value is not a string", () => {
    const text = '{"message":{"message":"x"},"thinking":42,"b":"s"}';
    for (const pieces of [[text], text.split("")]) {
      const { stream, deltas } = feed(pieces);
      expect(deltas).toEqual([]);
      expect(stream.valueOf("message")).toBe("");
      expect(stream.state).toBe("complete");
    }
  });

  it("compares keys after unescaping them and only as whole keys", () => {
    const text = String.raw`{"mess\u0061ge":"hi","messages":"no","thinkin":"no","thinking\n":"no"}`;
    expect(feed(text.split("")).deltas.map((d) => d.delta).join("")).toBe("hi");
  });

  it("keeps appending when a watched key occurs again", () => {
    const { stream, deltas } = feed(['{"message":"a","message":"b"}']);
    expect(deltas).toEqual([{ key: "message", delta: "ab" }]);
    expect(stream.valueOf("message")).toBe("ab");
  });

  it("merges adjacent pieces of one key and keeps the keys in order within a push", () => {
    const { deltas } = feed(['{"thinking":"a\\nb\\u0021","message":"c\\"d"}']);
    expect(deltas).toEqual([
      { key: "thinking", delta: "a\nb!" },
      { key: "message", delta: 'c"d' },
    ]);
  });

  it("accepts whitespace wherever JSON allows it", () => {
    const text = ' \n{\t"message" \r\n: "x" , "a" : [ 1 , -2.5e+3 , { } , [ ] , true , null ] , "b" : false }\n ';
    const { stream, deltas } = feed(text.split(""));
    expect(textOf(deltas, "message")).toBe("x");
    expect(stream.state).toBe("complete");
  });

  it("is scanning until the top-level object closes, then complete", () => {
    const stream = new ArgumentStream(["message"]);
    expect(stream.state).toBe("scanning");
    stream.push('{"message":"a"');
    expect(stream.state).toBe("scanning");
    expect(stream.push("")).toEqual([]);
    stream.push("}");
    expect(stream.state).toBe("complete");
    stream.push(" \n");
    expect(stream.state).toBe("complete");
  });

  it("accepts every form of JSON number and nothing else", () => {
    for (const n of ["0", "-0", "7", "-12", "0.5", "1.25e3", "1E-7", "2e+10", "-0.0e0"]) {
      expect(feed([`{"a":${n},"b":[${n}]}`]).stream.state, n).toBe("complete");
    }
    for (const n of ["-", "01", "1.", ".5", "1e", "1e+", "+1", "0x1", "1.2.3", "--1"]) {
      expect(feed([`{"a":${n}}`]).stream.state, n).toBe("malformed");
    }
  });

  it("turns malformed text into the malformed state without throwing, whole or one character at a time", () => {
    const cases = [
      '{"a" 1}',
      String.raw`{"message":"\x"}`,
      String.raw`{"message":"\u00zz"}`,
      '{"message":"a"} x',
      '{"message":"a"}}',
      '{"message":"a"}{}',
      "[1]",
      '"message"',
      '{"a":tru}',
      '{"a":nul,"b":1}',
      '{"a":1,}',
      "{,}",
      '{"a":[1}',
      '{"a":{"b":1]}',
      '{"message":"line\nbreak"}', // a raw control character inside a string
      String.raw`{"message":"\ud83d"}`, // a high surrogate with no low half
      String.raw`{"message":"\ude00"}`, // a low surrogate with no high half
      String.raw`{"message":"\ud83d\u0041"}`,
      "{'a':1}",
    ];
    for (const text of cases) {
      for (const pieces of [[text], text.split("")]) {
        const stream = new ArgumentStream(["message"]);
        expect(() => pieces.forEach((p) => stream.push(p)), text).not.toThrow();
        expect(stream.state, text).toBe("malformed");
        expect(stream.push('"}'), text).toEqual([]);
      }
    }
  });

  it("returns what a piece added before the error, then nothing more", () => {
    const stream = new ArgumentStream(["message"]);
    expect(stream.push('{"message":"hel')).toEqual([{ key: "message", delta: "hel" }]);
    expect(stream.push("lo\\x")).toEqual([{ key: "message", delta: "lo" }]);
    expect(stream.state).toBe("malformed");
    expect(stream.push('world"}')).toEqual([]);
    expect(stream.valueOf("message")).toBe("hello");
  });

  it("yields a 1 MB message fed one character at a time exactly", () => {
    const random = prng(7);
    const message = Array.from({ length: 1 << 20 }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]!).join("");
    const text = JSON.stringify({ thinking: "plan", message, request_heartbeat: false });
    const stream = new ArgumentStream(WATCHED);
    const parts: string[] = [];
    for (let i = 0; i < text.length; i++) {
      for (const d of stream.push(text[i]!)) if (d.key === "message") parts.push(d.delta);
    }
    expect(parts.join("") === message).toBe(true);
    expect(stream.valueOf("message") === message).toBe(true);
    expect(stream.state).toBe("complete");
  });
});
