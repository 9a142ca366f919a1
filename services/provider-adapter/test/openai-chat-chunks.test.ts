import { describe, expect, it } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { FinishReason } from "@conduit/proto/agent/v1";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { ProviderError } from "../src/core/provider-error.js";
import { retryAfterMsOf } from "../src/core/http-errors.js";
import { classifyOpenAIError } from "../src/providers/openai-chat/classify-openai-error.js";
import {
  finishOpenAIChatStream,
  mapOpenAIChatChunk,
  newOpenAIChatStreamState,
  openAIChatChunkSchema,
  parseOpenAIChatChunk,
} from "../src/providers/openai-chat/openai-chat-chunks.js";

function run(chunks: unknown[], model = "openai/gpt-4.1-mini"): CompletionEvent[] {
  const state = newOpenAIChatStreamState();
  return [...chunks.flatMap((c) => mapOpenAIChatChunk(parseOpenAIChatChunk(c), state)), ...finishOpenAIChatStream(state, model)];
}

const delta = (d: object, finish_reason: string | null = null) => ({ choices: [{ index: 0, delta: d, finish_reason }] });

describe("OpenAI chat chunks → events", () => {
  it("maps content to text deltas, skipping empty ones, and ends with usage then finish", () => {
    const events = run([
      delta({ role: "assistant", content: "" }),
      delta({ content: "Hel" }),
      delta({ content: "lo" }),
      delta({}, "stop"),
      { choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
    ]);
    expect(events).toEqual([
      { event: { $case: "textDelta", value: { text: "Hel" } } },
      { event: { $case: "textDelta", value: { text: "lo" } } },
      {
        event: {
          $case: "usage",
          value: { promptTokens: 5, completionTokens: 2, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
        },
      },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "stop", model: "openai/gpt-4.1-mini" } } },
    ]);
  });

  it("maps DeepSeek reasoning_content and OpenRouter/vLLM reasoning to reasoning deltas", () => {
    const events = run([
      delta({ content: null, reasoning_content: "" }),
      delta({ content: null, reasoning_content: "Think" }),
      delta({ reasoning: "ing" }),
      delta({ content: "Done", reasoning_content: null }, "stop"),
    ]);
    expect(events.map((e) => e.event?.$case)).toEqual(["reasoningDelta", "reasoningDelta", "textDelta", "finish"]);
    expect(events[0]?.event).toEqual({ $case: "reasoningDelta", value: { text: "Think" } });
    expect(events[1]?.event).toEqual({ $case: "reasoningDelta", value: { text: "ing" } });
  });

  it("gives id and name on a tool call's first delta only, arguments on every delta", () => {
    const events = run([
      delta({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] }),
      delta({ tool_calls: [{ index: 0, id: "call_a", function: { arguments: ':"Paris"}' } }] }),
      delta({ tool_calls: [{ index: 1, id: "call_b", function: { name: "time", arguments: "{}" } }] }),
      delta({}, "tool_calls"),
    ]);
    expect(events).toEqual([
      { event: { $case: "toolCallDelta", value: { index: 0, id: "call_a", name: "weather", argumentsDelta: "" } } },
      { event: { $case: "toolCallDelta", value: { index: 0, argumentsDelta: '{"city"' } } },
      { event: { $case: "toolCallDelta", value: { index: 0, argumentsDelta: ':"Paris"}' } } },
      { event: { $case: "toolCallDelta", value: { index: 1, id: "call_b", name: "time", argumentsDelta: "{}" } } },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "tool_calls", model: "openai/gpt-4.1-mini" } } },
    ]);
  });

  it("generates an id for a tool call that comes without one", () => {
    const events = run([delta({ tool_calls: [{ index: 0, function: { name: "f", arguments: "{}" } }] }, "tool_calls")]);
    const first = events[0]?.event;
    expect(first?.$case === "toolCallDelta" && first.value.id).toMatch(/^call_[0-9a-f]{32}$/);
  });

  it("reads cached and reasoning counts, takes Groq's usage from x_groq, and leaves unreported counts unset", () => {
    const full = run([
      delta({}, "stop"),
      {
        choices: [],
        usage: {
          prompt_tokens: 339,
          completion_tokens: 83,
          prompt_tokens_details: { cached_tokens: 320 },
          completion_tokens_details: { reasoning_tokens: 39 },
        },
      },
    ]);
    expect(full[0]?.event).toEqual({
      $case: "usage",
      value: { promptTokens: 339, completionTokens: 83, cachedInputTokens: 320, cacheWriteTokens: undefined, reasoningTokens: 39 },
    });
    const groq = run([{ ...delta({}, "tool_calls"), x_groq: { id: "req_1", usage: { prompt_tokens: 210, completion_tokens: 15, queue_time: 0.04 } } }]);
    expect(groq[0]?.event).toEqual({
      $case: "usage",
      value: { promptTokens: 210, completionTokens: 15, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
    });
    const none = run([delta({ content: "x" }, "length")]);
    expect(none.map((e) => e.event?.$case)).toEqual(["textDelta", "finish"]);
  });

  it("accepts unknown fields, and refuses a chunk of the wrong shape as malformed", () => {
    expect(() => parseOpenAIChatChunk({ ...delta({ content: "x", refusal: null }), obfuscation: "abc", service_tier: "default" })).not.toThrow();
    const wrong = (() => {
      try {
        parseOpenAIChatChunk({ choices: [{ index: 0, delta: { content: 42 } }] });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(wrong).toBeInstanceOf(ProviderError);
    expect((wrong as ProviderError).kind).toBe("malformed");
  });

  it("reads a text-only chunk, taken without the schema, as the schema reads it", () => {
    const chunks = [
      delta({ content: "hi" }),
      delta({ role: "assistant", content: "" }),
      delta({ content: null }),
      { id: "c", choices: [{ delta: { content: "no index" } }], usage: null },
    ];
    for (const chunk of chunks) expect(parseOpenAIChatChunk(chunk)).toEqual(openAIChatChunkSchema.parse(chunk));
    for (const wrong of [
      { choices: [{ index: 0, delta: { content: ["x"] } }] },
      { choices: [{ index: -1, delta: { content: "x" } }] },
      { choices: [{ index: 0, delta: "x" }] },
    ]) {
      expect(() => parseOpenAIChatChunk(wrong)).toThrow(expect.objectContaining({ kind: "malformed" }));
    }
  });

  it("treats a stream that ends without a finish reason as malformed", () => {
    expect(() => run([delta({ content: "cut" })])).toThrow(expect.objectContaining({ kind: "malformed" }));
  });
});

describe("classifyOpenAIError", () => {
  const headers = (h: Record<string, string> = {}) => new Headers(h);
  const apiError = (status: number, body: object, h: Record<string, string> = {}) => APIError.generate(status, { error: body }, undefined, headers(h));

  it.each([
    [429, { message: "slow down", type: "requests", code: "rate_limit_exceeded" }, "rate_limit"],
    [401, { message: "bad key", type: "invalid_request_error", code: "invalid_api_key" }, "auth"],
    [403, { message: "no access", type: "permission_error" }, "auth"],
    [400, { message: "too long", type: "invalid_request_error", code: "context_length_exceeded" }, "context_window"],
    [400, { message: "This model's maximum context length is 128000 tokens.", type: "invalid_request_error" }, "context_window"],
    [400, { message: "bad tools", type: "invalid_request_error", code: null }, "bad_request"],
    [404, { message: "no such model", type: "invalid_request_error", code: "model_not_found" }, "bad_request"],
    [422, { message: "unprocessable" }, "bad_request"],
    [408, { message: "request timeout" }, "timeout"],
    [500, { message: "oops", type: "server_error" }, "unavailable"],
    [503, { message: "overloaded" }, "unavailable"],
  ])("HTTP %i %j → %s", (status, body, kind) => {
    const error = classifyOpenAIError(apiError(status, body), "request");
    expect(error.kind).toBe(kind);
    expect(error.details.httpStatus).toBe(status);
  });

  it("takes the retry delay of a 429 from retry-after-ms, else retry-after", () => {
    expect(classifyOpenAIError(apiError(429, {}, { "retry-after": "2" }), "request").details.retryAfterMs).toBe(2000);
    expect(classifyOpenAIError(apiError(429, {}, { "retry-after-ms": "150", "retry-after": "2" }), "request").details.retryAfterMs).toBe(150);
    expect(classifyOpenAIError(apiError(429, {}), "request").details.retryAfterMs).toBeUndefined();
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMsOf(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now)).toBe(3000);
    expect(retryAfterMsOf(headers({ "retry-after": "soon" }), now)).toBeUndefined();
  });

  it("treats an exhausted quota as a rate limit that is never retried and has no retry delay", () => {
    const quota = { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" };
    const error = classifyOpenAIError(apiError(429, quota, { "retry-after": "2" }), "request");
    expect(error.kind).toBe("rate_limit");
    expect(error.retryable).toBe(false);
    expect(error.details.retryAfterMs).toBeUndefined();
    expect(classifyOpenAIError(apiError(429, { message: "slow down", code: "rate_limit_exceeded" }), "request").retryable).toBe(true);
    const inStream = classifyOpenAIError(new APIError(undefined, quota, undefined, headers()), "stream");
    expect([inStream.kind, inStream.retryable]).toEqual(["rate_limit", false]);
  });

  it("classifies errors sent inside a 200 stream by their type and code", () => {
    const inStream = (error: object) => new APIError(undefined, error, undefined, headers());
    expect(classifyOpenAIError(inStream({ message: "slow", type: "rate_limit_error" }), "stream").kind).toBe("rate_limit");
    expect(classifyOpenAIError(inStream({ message: "x", code: "context_length_exceeded" }), "stream").kind).toBe("context_window");
    expect(classifyOpenAIError(inStream({ message: "bad", type: "invalid_request_error" }), "stream").kind).toBe("bad_request");
    expect(classifyOpenAIError(inStream({ message: "Overloaded", type: "server_error" }), "stream").kind).toBe("unavailable");
  });

  it("classifies timeouts, connection failures, bad JSON and cut-off streams", () => {
    expect(classifyOpenAIError(new APIConnectionTimeoutError(), "request").kind).toBe("timeout");
    expect(classifyOpenAIError(new APIConnectionError({ cause: new Error("ECONNREFUSED") }), "request").kind).toBe("unavailable");
    expect(classifyOpenAIError(new SyntaxError("Unexpected token"), "stream").kind).toBe("malformed");
    expect(classifyOpenAIError(new TypeError("terminated"), "stream").kind).toBe("malformed");
    const malformed = new ProviderError("malformed", "x");
    expect(classifyOpenAIError(malformed, "stream")).toBe(malformed);
  });
});
