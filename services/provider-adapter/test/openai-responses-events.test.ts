import { describe, expect, it } from "vitest";
import { APIConnectionError, APIError } from "openai";
import { FinishReason } from "@conduit/proto/agent/v1";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { ProviderError } from "../src/core/provider-error.js";
import {
  classifyOpenAIResponsesError,
  classifyResponsesErrorCode,
} from "../src/providers/openai-responses/classify-openai-responses-error.js";
import {
  finishOpenAIResponsesStream,
  mapOpenAIResponsesEvent,
  newOpenAIResponsesStreamState,
  parseOpenAIResponsesEvent,
} from "../src/providers/openai-responses/openai-responses-events.js";

const MODEL = "openai-responses/gpt-5";

function run(events: unknown[]): CompletionEvent[] {
  const state = newOpenAIResponsesStreamState();
  const out = events.flatMap((e) => mapOpenAIResponsesEvent(parseOpenAIResponsesEvent(e), state, MODEL));
  finishOpenAIResponsesStream(state);
  return out;
}

function thrown(f: () => unknown): ProviderError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected a ProviderError");
}

const completed = (usage: object | null = null) => ({ type: "response.completed", response: { status: "completed", usage } });
const textDelta = (delta: string, output_index = 0) => ({ type: "response.output_text.delta", output_index, content_index: 0, delta });
const summaryDelta = (delta: string, summary_index: number, output_index = 0) => ({
  type: "response.reasoning_summary_text.delta",
  item_id: "rs_1",
  output_index,
  summary_index,
  delta,
});
const callAdded = (output_index: number, call_id: string, name: string) => ({
  type: "response.output_item.added",
  output_index,
  item: { type: "function_call", id: `fc_${call_id}`, call_id, name, arguments: "", status: "in_progress" },
});
const argsDelta = (output_index: number, delta: string) => ({ type: "response.function_call_arguments.delta", output_index, delta });
const argsDone = (output_index: number, args: string) => ({ type: "response.function_call_arguments.done", output_index, arguments: args });
const callDone = (output_index: number, call_id: string, name: string, args: string) => ({
  type: "response.output_item.done",
  output_index,
  item: { type: "function_call", id: `fc_${call_id}`, call_id, name, arguments: args, status: "completed" },
});
const finishOf = (events: CompletionEvent[]) => events.at(-1)?.event;

describe("OpenAI Responses events → completion events", () => {
  it("maps output text deltas to text deltas, skipping empty ones, and ends with usage then finish", () => {
    const events = run([
      { type: "response.created", response: { status: "in_progress" } },
      textDelta("Hel"),
      textDelta(""),
      textDelta("lo"),
      { type: "response.output_text.done", output_index: 0, text: "Hello" },
      completed({ input_tokens: 12, output_tokens: 5, input_tokens_details: { cached_tokens: 4 }, output_tokens_details: { reasoning_tokens: 2 } }),
    ]);
    expect(events).toEqual([
      { event: { $case: "textDelta", value: { text: "Hel" } } },
      { event: { $case: "textDelta", value: { text: "lo" } } },
      {
        event: {
          $case: "usage",
          value: { promptTokens: 12, completionTokens: 5, cachedInputTokens: 4, cacheWriteTokens: undefined, reasoningTokens: 2 },
        },
      },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "completed", model: MODEL } } },
    ]);
  });

  it("leaves unreported counts unset and sends no usage when none is reported", () => {
    const partial = run([completed({ input_tokens: 3, output_tokens: 1 })]);
    expect(partial[0]?.event).toEqual({
      $case: "usage",
      value: { promptTokens: 3, completionTokens: 1, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
    });
    expect(run([completed(null)]).map((e) => e.event?.$case)).toEqual(["finish"]);
  });

  it("streams reasoning summaries as reasoning deltas, a blank line between summaries, then the item as summarized_reasoning", () => {
    const events = run([
      { type: "response.output_item.added", output_index: 0, item: { type: "reasoning", id: "rs_1", summary: [] } },
      summaryDelta("First", 0),
      summaryDelta(" one.", 0),
      summaryDelta("Second.", 1),
      {
        type: "response.output_item.done",
        output_index: 0,
        item: { type: "reasoning", id: "rs_1", encrypted_content: "gAAA", summary: [{ type: "summary_text", text: "First one." }, { type: "summary_text", text: "Second." }] },
      },
      completed(),
    ]);
    expect(events.slice(0, -1)).toEqual([
      { event: { $case: "reasoningDelta", value: { text: "First" } } },
      { event: { $case: "reasoningDelta", value: { text: " one." } } },
      { event: { $case: "reasoningDelta", value: { text: "\n\nSecond." } } },
      { event: { $case: "summarizedReasoning", value: { id: "rs_1", summaries: ["First one.", "Second."], encryptedContent: "gAAA" } } },
    ]);
  });

  it("keeps separate reasoning items apart: each ends with its own summarized_reasoning", () => {
    const reasoningDone = (output_index: number, id: string, summary: string) => ({
      type: "response.output_item.done",
      output_index,
      item: { type: "reasoning", id, summary: [{ type: "summary_text", text: summary }] },
    });
    const events = run([summaryDelta("A", 0, 0), reasoningDone(0, "rs_a", "A"), summaryDelta("B", 0, 1), reasoningDone(1, "rs_b", "B"), completed()]);
    expect(events.map((e) => e.event?.$case)).toEqual(["reasoningDelta", "summarizedReasoning", "reasoningDelta", "summarizedReasoning", "finish"]);
    expect(events[2]?.event).toEqual({ $case: "reasoningDelta", value: { text: "B" } });
    expect(events[3]?.event).toEqual({ $case: "summarizedReasoning", value: { id: "rs_b", summaries: ["B"] } });
  });

  it("shows summaries that arrive only whole as reasoning, and an item without summaries only as summarized_reasoning", () => {
    const events = run([
      { type: "response.output_item.done", output_index: 0, item: { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Whole." }] } },
      { type: "response.output_item.done", output_index: 1, item: { type: "reasoning", id: "rs_2", summary: [], encrypted_content: "enc" } },
      completed(),
    ]);
    expect(events.slice(0, -1)).toEqual([
      { event: { $case: "reasoningDelta", value: { text: "Whole." } } },
      { event: { $case: "summarizedReasoning", value: { id: "rs_1", summaries: ["Whole."] } } },
      { event: { $case: "summarizedReasoning", value: { id: "rs_2", summaries: [], encryptedContent: "enc" } } },
    ]);
  });

  it("maps raw reasoning text deltas (open-weight models) to reasoning deltas", () => {
    const events = run([{ type: "response.reasoning_text.delta", output_index: 0, content_index: 0, delta: "think" }, completed()]);
    expect(events[0]?.event).toEqual({ $case: "reasoningDelta", value: { text: "think" } });
  });

  it("numbers function calls among the response's calls, with call_id and name on the first delta and streamed arguments once", () => {
    const events = run([
      summaryDelta("plan", 0, 0),
      callAdded(1, "call_a", "weather"),
      argsDelta(1, '{"city"'),
      argsDelta(1, ':"Paris"}'),
      argsDone(1, '{"city":"Paris"}'),
      callDone(1, "call_a", "weather", '{"city":"Paris"}'),
      callAdded(2, "call_b", "time"),
      argsDelta(2, "{}"),
      callDone(2, "call_b", "time", "{}"),
      completed(),
    ]);
    expect(events.slice(1)).toEqual([
      { event: { $case: "toolCallDelta", value: { index: 0, id: "call_a", name: "weather", argumentsDelta: "" } } },
      { event: { $case: "toolCallDelta", value: { index: 0, argumentsDelta: '{"city"' } } },
      { event: { $case: "toolCallDelta", value: { index: 0, argumentsDelta: ':"Paris"}' } } },
      { event: { $case: "toolCallDelta", value: { index: 1, id: "call_b", name: "time", argumentsDelta: "" } } },
      { event: { $case: "toolCallDelta", value: { index: 1, argumentsDelta: "{}" } } },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "completed", model: MODEL } } },
    ]);
  });

  it("emits arguments that arrive only at .done then, and not again at the item's end", () => {
    const events = run([callAdded(0, "call_a", "f"), argsDone(0, '{"x":1}'), callDone(0, "call_a", "f", '{"x":1}'), completed()]);
    expect(events.filter((e) => e.event?.$case === "toolCallDelta").map((e) => e.event?.$case === "toolCallDelta" && e.event.value.argumentsDelta)).toEqual([
      "",
      '{"x":1}',
    ]);
  });

  it("takes a call that arrives only whole, and gives a call without arguments `{}`", () => {
    const whole = run([callDone(0, "call_w", "f", '{"y":2}'), completed()]);
    expect(whole[0]?.event).toEqual({ $case: "toolCallDelta", value: { index: 0, id: "call_w", name: "f", argumentsDelta: '{"y":2}' } });
    const empty = run([callAdded(0, "call_e", "g"), callDone(0, "call_e", "g", ""), completed()]);
    expect(empty[1]?.event).toEqual({ $case: "toolCallDelta", value: { index: 0, argumentsDelta: "{}" } });
  });

  it("generates an id for a call that comes without call_id", () => {
    const events = run([{ type: "response.output_item.added", output_index: 0, item: { type: "function_call", name: "f", arguments: "" } }, completed()]);
    const first = events[0]?.event;
    expect(first?.$case === "toolCallDelta" && first.value.id).toMatch(/^call_[0-9a-f]{32}$/);
  });

  it("ends an incomplete response with the reason of its incomplete_details", () => {
    const incomplete = (reason: string) => ({ type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason }, usage: null } });
    expect(finishOf(run([textDelta("cut"), incomplete("max_output_tokens")]))).toEqual({
      $case: "finish",
      value: { reason: FinishReason.FINISH_REASON_LENGTH, rawReason: "max_output_tokens", model: MODEL },
    });
    expect(finishOf(run([incomplete("content_filter")]))).toMatchObject({ value: { reason: FinishReason.FINISH_REASON_CONTENT_FILTER } });
  });

  it("shows refusals as text", () => {
    const events = run([{ type: "response.refusal.delta", output_index: 0, content_index: 0, delta: "I can't help with that." }, completed()]);
    expect(events[0]?.event).toEqual({ $case: "textDelta", value: { text: "I can't help with that." } });
  });

  it("ignores what follows the end of the response", () => {
    const events = run([textDelta("one"), completed(), textDelta("two"), completed()]);
    expect(events.map((e) => e.event?.$case)).toEqual(["textDelta", "finish"]);
  });

  it("throws an error event and a failed response as ProviderErrors classified by code", () => {
    expect(thrown(() => run([{ type: "error", code: "rate_limit_exceeded", message: "slow down", param: null }])).kind).toBe("rate_limit");
    expect(thrown(() => run([{ type: "error", code: "context_length_exceeded", message: "too long" }])).kind).toBe("context_window");
    const failed = (error: object | null) => ({ type: "response.failed", response: { status: "failed", error } });
    const server = thrown(() => run([textDelta("Hel"), failed({ code: "server_error", message: "The server had an error" })]));
    expect(server).toMatchObject({ kind: "unavailable", message: "The server had an error" });
    expect(thrown(() => run([failed({ code: "invalid_prompt", message: "flagged" })])).kind).toBe("bad_request");
    expect(thrown(() => run([failed(null)])).kind).toBe("unavailable");
  });

  it("treats a stream that ends without response.completed as malformed", () => {
    expect(thrown(() => run([textDelta("cut")])).kind).toBe("malformed");
  });

  it("accepts unknown fields and event types, and refuses a known event of the wrong shape as malformed", () => {
    expect(() => parseOpenAIResponsesEvent({ ...textDelta("x"), obfuscation: "abc", logprobs: [] })).not.toThrow();
    expect(parseOpenAIResponsesEvent({ type: "response.web_search_call.searching", output_index: 0 })).toMatchObject({ type: "unknown" });
    expect(thrown(() => parseOpenAIResponsesEvent({ type: "response.output_text.delta", output_index: 0, delta: 42 })).kind).toBe("malformed");
    expect(thrown(() => parseOpenAIResponsesEvent({ no: "type" })).kind).toBe("malformed");
    expect(thrown(() => run([argsDelta(3, "{}")])).kind).toBe("malformed");
  });
});

describe("classifyOpenAIResponsesError", () => {
  it.each([
    ["rate_limit_exceeded", "rate_limit"],
    ["insufficient_quota", "rate_limit"],
    ["context_length_exceeded", "context_window"],
    ["server_error", "unavailable"],
    ["invalid_prompt", "bad_request"],
    ["invalid_image_url", "bad_request"],
    ["image_too_large", "bad_request"],
    ["vector_store_timeout", "timeout"],
    ["something_new", "unavailable"],
  ])("in-stream code %s → %s", (code, kind) => {
    expect(classifyResponsesErrorCode(code, "m").kind).toBe(kind);
    expect(classifyResponsesErrorCode(code, "m").retryable).toBe(code !== "insufficient_quota" && kind !== "context_window" && kind !== "bad_request");
  });

  it("classifies the SDK's error from a nested error event by its code, and HTTP errors by status", () => {
    const nested = new APIError(undefined, { type: "insufficient_quota", code: "insufficient_quota", message: "quota" }, undefined, new Headers());
    expect(classifyOpenAIResponsesError(nested, "stream").kind).toBe("rate_limit");
    const http = (status: number, code: string | null, h: Record<string, string> = {}) =>
      APIError.generate(status, { error: { message: "m", type: "invalid_request_error", code } }, undefined, new Headers(h));
    expect(classifyOpenAIResponsesError(http(429, "rate_limit_exceeded", { "retry-after": "3" }), "request").details).toMatchObject({
      retryAfterMs: 3000,
      httpStatus: 429,
    });
    expect(classifyOpenAIResponsesError(http(400, "context_length_exceeded"), "request").kind).toBe("context_window");
    expect(classifyOpenAIResponsesError(http(401, "invalid_api_key"), "request").kind).toBe("auth");
    expect(classifyOpenAIResponsesError(http(400, null), "request").kind).toBe("bad_request");
    expect(classifyOpenAIResponsesError(http(500, null), "request").kind).toBe("unavailable");
    expect(classifyOpenAIResponsesError(new APIConnectionError({ cause: new Error("ECONNREFUSED") }), "request").kind).toBe("unavailable");
    expect(classifyOpenAIResponsesError(new SyntaxError("Unexpected end of JSON input"), "stream").kind).toBe("malformed");
  });
});
