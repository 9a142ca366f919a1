import { describe, expect, it } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import type { ErrorType } from "@anthropic-ai/sdk/resources/shared";
import { FinishReason } from "@conduit/proto/agent/v1";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { ProviderError } from "../src/core/provider-error.js";
import {
  finishAnthropicStream,
  mapAnthropicEvent,
  newAnthropicStreamState,
  parseAnthropicEvent,
} from "../src/providers/anthropic/anthropic-events.js";
import { classifyAnthropicError } from "../src/providers/anthropic/classify-anthropic-error.js";
import { mapAnthropicStopReason } from "../src/providers/anthropic/map-anthropic-stop-reason.js";

const MODEL = "anthropic/claude-sonnet-5-5";

function run(events: unknown[]): CompletionEvent[] {
  const state = newAnthropicStreamState();
  const out = events.flatMap((e) => mapAnthropicEvent(parseAnthropicEvent(e), state, MODEL));
  finishAnthropicStream(state);
  return out;
}

const start = (usage: object = { input_tokens: 10, output_tokens: 1 }) => ({
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", content: [], usage },
});
const blockStart = (index: number, content_block: object) => ({ type: "content_block_start", index, content_block });
const blockDelta = (index: number, delta: object) => ({ type: "content_block_delta", index, delta });
const blockStop = (index: number) => ({ type: "content_block_stop", index });
const messageDelta = (stop_reason: string | null, usage: object = { output_tokens: 7 }) => ({
  type: "message_delta",
  delta: { stop_reason, stop_sequence: null },
  usage,
});
const stop = { type: "message_stop" };

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("Anthropic stream events → events", () => {
  it("maps text deltas, skipping empty ones, and ends with one usage then one finish at message_stop", () => {
    const events = run([
      start(),
      { type: "ping" },
      blockStart(0, { type: "text", text: "" }),
      blockDelta(0, { type: "text_delta", text: "Hel" }),
      blockDelta(0, { type: "text_delta", text: "" }),
      blockDelta(0, { type: "text_delta", text: "lo" }),
      blockStop(0),
      messageDelta("end_turn"),
      stop,
    ]);
    expect(events).toEqual([
      { event: { $case: "textDelta", value: { text: "Hel" } } },
      { event: { $case: "textDelta", value: { text: "lo" } } },
      {
        event: {
          $case: "usage",
          value: { promptTokens: 10, completionTokens: 7, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
        },
      },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "end_turn", model: MODEL } } },
    ]);
  });

  it("maps thinking to reasoning deltas and the signature to an empty-text delta carrying it", () => {
    const events = run([
      start(),
      blockStart(0, { type: "thinking", thinking: "", signature: "" }),
      blockDelta(0, { type: "thinking_delta", thinking: "Let me" }),
      blockDelta(0, { type: "thinking_delta", thinking: "" }),
      blockDelta(0, { type: "thinking_delta", thinking: " think" }),
      blockDelta(0, { type: "signature_delta", signature: "sig==" }),
      blockStop(0),
      blockStart(1, { type: "redacted_thinking", data: "opaque" }),
      blockStop(1),
      messageDelta("end_turn"),
      stop,
    ]);
    expect(events.slice(0, 4)).toEqual([
      { event: { $case: "reasoningDelta", value: { text: "Let me" } } },
      { event: { $case: "reasoningDelta", value: { text: " think" } } },
      { event: { $case: "reasoningDelta", value: { text: "", signature: "sig==" } } },
      { event: { $case: "redactedReasoning", value: { data: "opaque" } } },
    ]);
  });

  it("numbers tool calls from 0 apart from other blocks, gives id and name first, then the input pieces", () => {
    const events = run([
      start(),
      blockStart(0, { type: "text", text: "" }),
      blockDelta(0, { type: "text_delta", text: "Checking." }),
      blockStop(0),
      blockStart(1, { type: "tool_use", id: "toolu_a", name: "weather", input: {} }),
      blockDelta(1, { type: "input_json_delta", partial_json: "" }),
      blockDelta(1, { type: "input_json_delta", partial_json: '{"city"' }),
      blockDelta(1, { type: "input_json_delta", partial_json: ':"Paris"}' }),
      blockStop(1),
      blockStart(2, { type: "tool_use", id: "toolu_b", name: "time", input: {} }),
      blockStop(2),
      messageDelta("tool_use"),
      stop,
    ]);
    expect(events.slice(1, 6)).toEqual([
      { event: { $case: "toolCallDelta", value: { index: 0, id: "toolu_a", name: "weather", argumentsDelta: "" } } },
      { event: { $case: "toolCallDelta", value: { index: 0, argumentsDelta: '{"city"' } } },
      { event: { $case: "toolCallDelta", value: { index: 0, argumentsDelta: ':"Paris"}' } } },
      { event: { $case: "toolCallDelta", value: { index: 1, id: "toolu_b", name: "time", argumentsDelta: "" } } },
      // A call whose input never came gets `{}` at its block's end.
      { event: { $case: "toolCallDelta", value: { index: 1, argumentsDelta: "{}" } } },
    ]);
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "tool_use" } });
  });

  it("takes a tool_use block's input whole when it comes non-empty in content_block_start", () => {
    const events = run([start(), blockStart(0, { type: "tool_use", id: "t", name: "f", input: { a: 1 } }), blockStop(0), messageDelta("tool_use"), stop]);
    expect(events[0]?.event).toEqual({ $case: "toolCallDelta", value: { index: 0, id: "t", name: "f", argumentsDelta: '{"a":1}' } });
    expect(events[1]?.event?.$case).toBe("usage");
  });

  it("combines message_start usage (input, cache read and write) with message_delta usage (output)", () => {
    const events = run([
      start({ input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 300, cache_creation_input_tokens: 50 }),
      messageDelta("max_tokens", { output_tokens: 4096 }),
      stop,
    ]);
    expect(events).toEqual([
      {
        event: {
          $case: "usage",
          // prompt_tokens counts cached and cache-written tokens in (Anthropic's input_tokens does not).
          value: { promptTokens: 370, completionTokens: 4096, cachedInputTokens: 300, cacheWriteTokens: 50, reasoningTokens: undefined },
        },
      },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_LENGTH, rawReason: "max_tokens", model: MODEL } } },
    ]);
  });

  it("emits no usage when none was reported, and ignores what comes after message_stop", () => {
    const events = run([{ type: "message_delta", delta: { stop_reason: "end_turn" } }, stop, blockStart(0, { type: "text", text: "late" })]);
    expect(events.map((e) => e.event?.$case)).toEqual(["finish"]);
  });

  it("ignores unknown event, block and delta types, and accepts unknown fields", () => {
    const events = run([
      start(),
      { type: "some_future_event", whatever: 1 },
      blockStart(0, { type: "server_tool_use", id: "srv", name: "web_search", input: {} }),
      blockDelta(0, { type: "citations_delta", citation: {} }),
      blockStop(0),
      { ...messageDelta("pause_turn"), context_management: { applied_edits: [] } },
      stop,
    ]);
    expect(events.map((e) => e.event?.$case)).toEqual(["usage", "finish"]);
    expect(events[1]?.event).toMatchObject({ value: { reason: FinishReason.FINISH_REASON_OTHER, rawReason: "pause_turn" } });
  });

  it("refuses an event of the wrong shape, or without a type, as malformed", () => {
    for (const bad of [blockDelta(0, { type: "text_delta", text: 42 }), { index: 0 }, "text"]) {
      const error = caught(() => parseAnthropicEvent(bad));
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe("malformed");
    }
  });

  it("throws an error event as a ProviderError classified by its type", () => {
    const state = newAnthropicStreamState();
    const kindOf = (type: string, message = "x") =>
      (caught(() => mapAnthropicEvent(parseAnthropicEvent({ type: "error", error: { type, message } }), state, MODEL)) as ProviderError).kind;
    expect(kindOf("overloaded_error", "Overloaded")).toBe("unavailable");
    expect(kindOf("api_error")).toBe("unavailable");
    expect(kindOf("rate_limit_error")).toBe("rate_limit");
    expect(kindOf("invalid_request_error", "prompt is too long: 300000 tokens > 200000 maximum")).toBe("context_window");
    expect(kindOf("invalid_request_error")).toBe("bad_request");
    expect(kindOf("authentication_error")).toBe("auth");
    expect(kindOf("timeout_error")).toBe("timeout");
  });

  it("treats a stream that ends without message_stop, or stops without a stop reason, as malformed", () => {
    expect(() => run([start(), messageDelta("end_turn")])).toThrow(expect.objectContaining({ kind: "malformed" }));
    expect(() => run([start(), stop])).toThrow(expect.objectContaining({ kind: "malformed" }));
  });
});

describe("mapAnthropicStopReason", () => {
  it.each([
    ["end_turn", FinishReason.FINISH_REASON_STOP],
    ["stop_sequence", FinishReason.FINISH_REASON_STOP],
    ["max_tokens", FinishReason.FINISH_REASON_LENGTH],
    ["tool_use", FinishReason.FINISH_REASON_TOOL_CALLS],
    ["refusal", FinishReason.FINISH_REASON_CONTENT_FILTER],
    ["pause_turn", FinishReason.FINISH_REASON_OTHER],
    ["model_context_window_exceeded", FinishReason.FINISH_REASON_OTHER],
  ])("%s → %s", (raw, reason) => {
    expect(mapAnthropicStopReason(raw)).toBe(reason);
  });
});

describe("classifyAnthropicError", () => {
  const body = (type: string, message: string) => ({ type: "error", error: { type, message } });
  const apiError = (status: number, type: string, message: string, h: Record<string, string> = {}) =>
    APIError.generate(status, body(type, message), undefined, new Headers(h));

  it.each([
    [429, "rate_limit_error", "slow down", "rate_limit"],
    [401, "authentication_error", "invalid x-api-key", "auth"],
    [403, "permission_error", "no access", "auth"],
    [400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum", "context_window"],
    [400, "invalid_request_error", "messages.1: roles must alternate", "bad_request"],
    [404, "not_found_error", "model: claude-nope", "bad_request"],
    [413, "request_too_large", "Request exceeds the maximum size", "bad_request"],
    [408, "timeout_error", "request timeout", "timeout"],
    [500, "api_error", "Internal server error", "unavailable"],
    [503, "api_error", "unavailable", "unavailable"],
    [529, "overloaded_error", "Overloaded", "unavailable"],
  ])("HTTP %i %s → %s", (status, type, message, kind) => {
    const error = classifyAnthropicError(apiError(status, type, message), "request");
    expect(error.kind).toBe(kind);
    expect(error.details.httpStatus).toBe(status);
    expect(error.message).toBe(message);
  });

  it("takes the retry delay of a 429 from retry-after-ms, else retry-after", () => {
    expect(classifyAnthropicError(apiError(429, "rate_limit_error", "x", { "retry-after": "2" }), "request").details.retryAfterMs).toBe(2000);
    expect(
      classifyAnthropicError(apiError(429, "rate_limit_error", "x", { "retry-after-ms": "150", "retry-after": "2" }), "request").details.retryAfterMs,
    ).toBe(150);
    expect(classifyAnthropicError(apiError(429, "rate_limit_error", "x"), "request").details.retryAfterMs).toBeUndefined();
  });

  it("classifies an error event the SDK threw from a 200 stream by its type", () => {
    const inStream = (type: ErrorType, message: string) => new APIError(undefined, body(type, message), undefined, new Headers(), type);
    const overloaded = classifyAnthropicError(inStream("overloaded_error", "Overloaded"), "stream");
    expect(overloaded.kind).toBe("unavailable");
    expect(overloaded.details.httpStatus).toBeUndefined();
    expect(classifyAnthropicError(inStream("rate_limit_error", "slow"), "stream").kind).toBe("rate_limit");
    expect(classifyAnthropicError(inStream("invalid_request_error", "bad"), "stream").kind).toBe("bad_request");
  });

  it("classifies timeouts, connection failures, bad JSON and cut-off streams", () => {
    expect(classifyAnthropicError(new APIConnectionTimeoutError(), "request").kind).toBe("timeout");
    expect(classifyAnthropicError(new APIConnectionError({ cause: new Error("ECONNREFUSED") }), "request").kind).toBe("unavailable");
    expect(classifyAnthropicError(new SyntaxError("Unexpected token"), "stream").kind).toBe("malformed");
    expect(classifyAnthropicError(new TypeError("terminated"), "stream").kind).toBe("malformed");
    expect(classifyAnthropicError(new TypeError("fetch failed"), "request").kind).toBe("unavailable");
    const malformed = new ProviderError("malformed", "x");
    expect(classifyAnthropicError(malformed, "stream")).toBe(malformed);
  });
});
