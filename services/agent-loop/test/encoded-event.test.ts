import { describe, expect, it } from "vitest";
import { RunEvent, StopReason } from "@conduit/proto/agent/v1";
import { EncodedRunEvent, payloadCaseOf, seqOf } from "../src/events/encoded-event.js";
import { visibleTo } from "../src/handlers/event-filter.js";
import { MessagePayloadType } from "@conduit/proto/agent/v1";

const event = (partial: Partial<RunEvent>) =>
  RunEvent.fromPartial({
    runId: "run-1",
    seqId: "7",
    createdAt: new Date("2026-11-22T10:00:00Z"),
    messageId: "message-1",
    otid: "otid-1",
    stepId: "step-1",
    ...partial,
  });

const encoded = (e: RunEvent) => EncodedRunEvent.of(RunEvent.encode(e).finish());

describe("EncodedRunEvent", () => {
  it("reads the seq_id and the payload's kind from the wire bytes, keeping the bytes as they are", () => {
    const e = event({ payload: { $case: "assistant", value: { content: { $case: "delta", value: "Hello" } } } });
    const bytes = RunEvent.encode(e).finish();
    const read = EncodedRunEvent.of(bytes);
    expect(read.seq).toBe(7);
    expect(read.payloadCase).toBe("assistant");
    expect(read.bytes).toBe(bytes);
    expect(RunEvent.decode(read.bytes)).toEqual(e);
  });

  it("knows every payload kind, and a usage event as the terminal one", () => {
    const payloads: RunEvent["payload"][] = [
      { $case: "runStarted", value: { run: undefined } },
      { $case: "reasoning", value: { content: { $case: "delta", value: "hm" }, source: 1 } },
      { $case: "ping", value: {} },
      { $case: "stop", value: { stopReason: StopReason.STOP_REASON_CANCELLED } },
      { $case: "usage", value: { stepCount: 1 } },
    ];
    expect(payloads.map((payload) => encoded(event({ payload })).payloadCase)).toEqual(payloads.map((p) => p!.$case));
  });

  it("reads seq_ids beyond 32 bits", () => {
    expect(encoded(event({ seqId: String(2 ** 40 + 3) })).seq).toBe(2 ** 40 + 3);
  });

  it("refuses bytes that end inside a field", () => {
    const bytes = RunEvent.encode(event({ payload: { $case: "ping", value: {} } })).finish();
    expect(() => EncodedRunEvent.of(bytes.subarray(0, 5))).toThrow(RangeError);
  });

  it("answers seq and payload kind, and the include filter, alike for decoded and encoded events", () => {
    const e = event({ payload: { $case: "toolCall", value: { toolCallId: "c1", name: "f", argumentsDelta: "{}" } } });
    const include = new Set([MessagePayloadType.MESSAGE_PAYLOAD_TYPE_ASSISTANT]);
    for (const form of [e, encoded(e)]) {
      expect(seqOf(form)).toBe(7);
      expect(payloadCaseOf(form)).toBe("toolCall");
      expect(visibleTo(form, include)).toBe(false);
      expect(visibleTo(form, new Set())).toBe(true);
    }
  });
});
