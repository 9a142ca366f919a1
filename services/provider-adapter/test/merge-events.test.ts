import { describe, expect, it } from "vitest";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { mergeCompletionEvents } from "../src/core/merge-events.js";

const text = (t: string, signature?: string): CompletionEvent => ({ event: { $case: "textDelta", value: { text: t, ...(signature ? { signature } : {}) } } });
const thought = (t: string, signature?: string): CompletionEvent => ({ event: { $case: "reasoningDelta", value: { text: t, ...(signature ? { signature } : {}) } } });
const call = (index: number, args: string, first?: { id: string; name: string }): CompletionEvent => ({
  event: { $case: "toolCallDelta", value: { index, argumentsDelta: args, ...(first ?? {}) } },
});

describe("mergeCompletionEvents", () => {
  it("joins text, keeping a signature that comes last", () => {
    expect(mergeCompletionEvents(text("Hel"), text("lo"))).toEqual(text("Hello"));
    expect(mergeCompletionEvents(text("Hel"), text("lo", "sig"))).toEqual(text("Hello", "sig"));
  });

  it("joins reasoning until its signature closes the block", () => {
    expect(mergeCompletionEvents(thought("a"), thought("b", "sig"))).toEqual(thought("ab", "sig"));
    expect(mergeCompletionEvents(thought("a", "sig"), thought("b"))).toBeUndefined();
    expect(mergeCompletionEvents(text("a", "sig"), text("b"))).toBeUndefined();
  });

  it("joins the arguments of one tool call, never those of another call or a new call's start", () => {
    expect(mergeCompletionEvents(call(0, '{"a"', { id: "c1", name: "f" }), call(0, ":1}"))).toEqual(call(0, '{"a":1}', { id: "c1", name: "f" }));
    expect(mergeCompletionEvents(call(0, "{}"), call(1, "{}"))).toBeUndefined();
    expect(mergeCompletionEvents(call(0, "{}"), call(0, "", { id: "c2", name: "g" }))).toBeUndefined();
  });

  it("keeps different kinds, usage and finish apart", () => {
    expect(mergeCompletionEvents(text("a"), thought("b"))).toBeUndefined();
    expect(mergeCompletionEvents(thought("a"), text("b"))).toBeUndefined();
    const usage: CompletionEvent = { event: { $case: "usage", value: { promptTokens: 1 } } };
    expect(mergeCompletionEvents(text("a"), usage)).toBeUndefined();
    expect(mergeCompletionEvents(usage, usage)).toBeUndefined();
  });
});
