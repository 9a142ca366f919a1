import { describe, expect, it } from "vitest";
import { isEmptyRange, MAX_SEQUENCE, pageOf, sequenceRange } from "../src/core/message-cursor.js";

const MAX = MAX_SEQUENCE.toString();

describe("sequenceRange", () => {
  it("keeps cursors that fit int8 and leaves unset ones unbounded", () => {
    expect(sequenceRange({ after: "5", before: "9" })).toEqual({ after: "5", before: "9" });
    expect(sequenceRange({})).toEqual({});
    expect(sequenceRange({ after: "007" })).toEqual({ after: "7" });
  });

  it("clamps uint64 cursors above int8 to the largest sequence id", () => {
    expect(sequenceRange({ after: "18446744073709551615", before: "9223372036854775808" })).toEqual({ after: MAX, before: MAX });
  });
});

describe("isEmptyRange", () => {
  it("is empty when no integer lies strictly between the bounds", () => {
    expect(isEmptyRange({ after: "5", before: "6" })).toBe(true);
    expect(isEmptyRange({ after: "6", before: "5" })).toBe(true);
    expect(isEmptyRange({ before: "1" })).toBe(true);
    expect(isEmptyRange({ before: "0" })).toBe(true);
    expect(isEmptyRange({ after: MAX })).toBe(true);
  });

  it("is not empty when a sequence id fits", () => {
    expect(isEmptyRange({ after: "5", before: "7" })).toBe(false);
    expect(isEmptyRange({ before: "2" })).toBe(false);
    expect(isEmptyRange({ after: "0" })).toBe(false);
    expect(isEmptyRange({ before: MAX })).toBe(false);
    expect(isEmptyRange({})).toBe(false);
  });

  it("compares sequence ids as integers, not as text", () => {
    expect(isEmptyRange({ after: "9", before: "10" })).toBe(true);
    expect(isEmptyRange({ after: "9", before: "100" })).toBe(false);
  });
});

describe("pageOf", () => {
  const rows = (...seq: number[]) => seq.map((s) => ({ seq: String(s) }));
  const seqOf = (row: { seq: string }) => row.seq;

  it("drops the look-ahead row and points the cursor at the last row returned", () => {
    expect(pageOf(rows(1, 2, 3), 2, seqOf)).toEqual({ items: rows(1, 2), hasMore: true, nextCursor: "2" });
    expect(pageOf(rows(9, 8, 7), 2, seqOf)).toEqual({ items: rows(9, 8), hasMore: true, nextCursor: "8" });
  });

  it("has no more and no cursor when the rows fit the page", () => {
    expect(pageOf(rows(1, 2), 2, seqOf)).toEqual({ items: rows(1, 2), hasMore: false });
    expect(pageOf(rows(), 5, seqOf)).toEqual({ items: [], hasMore: false });
  });
});
