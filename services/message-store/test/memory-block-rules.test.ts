import { describe, expect, it } from "vitest";
import { codePointLength, DEFAULT_BLOCK_LIMIT, newBlock, planBlockUpdate, type BlockFields } from "../src/core/memory-block-rules.js";

const block = (fields: Partial<BlockFields> = {}): BlockFields => ({
  label: "human",
  value: "likes tea",
  limit: 100,
  description: "",
  readOnly: false,
  ...fields,
});

describe("memory block rules", () => {
  it("counts code points, as the database's char_length does", () => {
    expect(codePointLength("abc")).toBe(3);
    expect("🙂🙂".length).toBe(4);
    expect(codePointLength("🙂🙂")).toBe(2);
    expect(codePointLength("a\ud800b")).toBe(3);
  });

  it("gives a new block the default limit for 0 and refuses a value over its limit", () => {
    expect(newBlock(block({ limit: 0 }))).toEqual({ ok: true, block: block({ limit: DEFAULT_BLOCK_LIMIT }) });
    expect(newBlock(block({ value: "🙂".repeat(3), limit: 3 })).ok).toBe(true);
    expect(newBlock(block({ value: "abcd", limit: 3 }))).toEqual({
      ok: false,
      violation: { kind: "limit_exceeded", label: "human", limit: 3, length: 4 },
    });
    expect(newBlock(block({ value: "x".repeat(DEFAULT_BLOCK_LIMIT + 1), limit: 0 })).ok).toBe(false);
  });

  it("replaces only the masked fields", () => {
    const planned = planBlockUpdate(block(), block({ label: "user", value: "ignored", description: "who" }), new Set(["label", "description"] as const));
    expect(planned).toEqual({ ok: true, block: block({ label: "user", description: "who" }) });
  });

  it("refuses a value edit of a block read-only as stored, even when the same edit clears read_only", () => {
    const stored = block({ readOnly: true });
    expect(planBlockUpdate(stored, block({ value: "x" }), new Set(["value"] as const))).toEqual({
      ok: false,
      violation: { kind: "read_only", label: "human" },
    });
    expect(planBlockUpdate(stored, block({ value: "x", readOnly: false }), new Set(["value", "readOnly"] as const)).ok).toBe(false);
    expect(planBlockUpdate(stored, block({ readOnly: false }), new Set(["readOnly"] as const)).ok).toBe(true);
    expect(planBlockUpdate(stored, block({ description: "d" }), new Set(["description"] as const)).ok).toBe(true);
  });

  it("refuses a value edit in the request that makes the block read-only", () => {
    const planned = planBlockUpdate(block(), block({ value: "x", readOnly: true }), new Set(["value", "readOnly"] as const));
    expect(planned).toEqual({ ok: false, violation: { kind: "read_only", label: "human" } });
  });

  it("checks the resulting value against the resulting limit, a lowered limit included", () => {
    expect(planBlockUpdate(block(), block({ limit: 5 }), new Set(["limit"] as const))).toEqual({
      ok: false,
      violation: { kind: "limit_exceeded", label: "human", limit: 5, length: 9 },
    });
    const grown = planBlockUpdate(block({ limit: 5, value: "abc" }), block({ value: "abcdefgh", limit: 8 }), new Set(["value", "limit"] as const));
    expect(grown.ok).toBe(true);
    const renamed = planBlockUpdate(block(), block({ label: "new", value: "x".repeat(101) }), new Set(["label", "value"] as const));
    expect(renamed).toEqual({ ok: false, violation: { kind: "limit_exceeded", label: "human", limit: 100, length: 101 } });
  });

  it("treats a limit set to 0 as the default limit", () => {
    expect(planBlockUpdate(block(), block({ limit: 0 }), new Set(["limit"] as const))).toEqual({
      ok: true,
      block: block({ limit: DEFAULT_BLOCK_LIMIT }),
    });
  });
});
