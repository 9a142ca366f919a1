import { describe, expect, it } from "vitest";
import { anthropicError, listFixtures } from "@conduit/testing";
import { ProviderError } from "../src/core/provider-error.js";
import { createAnthropicProvider } from "../src/providers/anthropic/anthropic-provider.js";
import { messageStart, startWithText, textDelta } from "./support/anthropic-wire.js";
import { expectCancelBeforeResponse, expectCancelMidStream } from "./support/provider-cancel.js";
import { callsOf, eventsUntilFailure, expectOneFinishLast, expectToolCallArgumentsJson, normalize } from "./support/provider-events.js";
import { closedServerUrl, useProviderServer } from "./support/provider-server.js";
import { userRequest } from "./support/requests.js";

const server = useProviderServer();

function provider() {
  return createAnthropicProvider({ apiKey: "test", baseURL: server.url });
}

const request = userRequest("anthropic/claude-sonnet-5-5", "Hi");

const { collect, failure, eventsThenFailure } = callsOf(provider, request);

describe("anthropic provider: recorded streams through the real SDK", () => {
  const fixtures = listFixtures("anthropic-messages");

  it("has recorded streams to replay", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)("replays %s", async (file) => {
    server.enqueue("anthropic-messages", { kind: "fixture", file });
    const events = await collect();
    const normalized = normalize(events);
    expect(normalized).toMatchSnapshot();

    // Exactly one finish, last; exactly one usage (Anthropic always reports it), just before it.
    expectOneFinishLast(events);
    expect(events.filter((e) => e.event?.$case === "usage")).toHaveLength(1);
    expect(events.at(-2)?.event?.$case).toBe("usage");
    expectToolCallArgumentsJson(normalized);
  });

  it("assembles thinking with its signature, then the answer", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-clear-thinking.1.chunks.txt" });
    const events = await collect();
    const normalized = normalize(events);
    expect(normalized.map((e) => e.type)).toEqual(["reasoning", "text", "usage", "finish"]);
    expect(normalized[0]!.text).toBe("The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185");
    expect(String(normalized[0]!.signature)).toMatch(/^EvQBCkYICxgCKkAxhD4N/);
    // The signature comes once, on its own delta with empty text, after the thinking text.
    const signed = events.filter((e) => e.event?.$case === "reasoningDelta" && e.event.value.signature !== undefined);
    expect(signed).toHaveLength(1);
    expect(signed[0]!.event).toMatchObject({ value: { text: "" } });
    expect(normalized[1]!.text).toBe("925 ÷ 5 = 185");
    expect(normalized[2]).toMatchObject({ promptTokens: 69, completionTokens: 53, cachedInputTokens: 0, cacheWriteTokens: 0 });
    expect(normalized[3]).toMatchObject({ reason: "FINISH_REASON_STOP", rawReason: "end_turn", model: "anthropic/claude-sonnet-5-5" });
  });

  it("assembles a JSON tool call's input from its input_json_delta pieces", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-json-tool.1.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["tool_call", "usage", "finish"]);
    expect(normalized[0]).toMatchObject({ index: 0, id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json" });
    expect(JSON.parse(String(normalized[0]!.arguments))).toEqual({
      elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }],
    });
    expect(normalized[1]).toMatchObject({ promptTokens: 849, completionTokens: 47 });
    expect(normalized[2]).toMatchObject({ reason: "FINISH_REASON_TOOL_CALLS", rawReason: "tool_use" });
  });

  it("numbers a tool call after a text block from 0 and gives a call without input `{}`", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-tool-no-args.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized).toEqual([
      { type: "text", text: "I'll update the issue list for you.", deltas: 2 },
      { type: "tool_call", index: 0, id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", name: "updateIssueList", arguments: "{}", deltas: 2 },
      {
        type: "usage",
        promptTokens: 565,
        completionTokens: 48,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: undefined,
      },
      { type: "finish", reason: "FINISH_REASON_TOOL_CALLS", rawReason: "tool_use", model: "anthropic/claude-sonnet-5-5" },
    ]);
  });

  it("finishes a refusal with CONTENT_FILTER and the raw `refusal`", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-refusal.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["usage", "finish"]);
    expect(normalized[0]).toMatchObject({ promptTokens: 18 });
    expect(normalized[1]).toMatchObject({ reason: "FINISH_REASON_CONTENT_FILTER", rawReason: "refusal" });
  });

  it("assembles plain text", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["text", "usage", "finish"]);
    expect(normalized[0]!.text).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
    expect(normalized[1]).toMatchObject({ promptTokens: 12, completionTokens: 30 });
    expect(normalized[2]).toMatchObject({ reason: "FINISH_REASON_STOP", rawReason: "end_turn" });
  });

  it("sends the request the SDK way: streaming, max_tokens, the model part of the handle, the key", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    await collect();
    const recorded = server.requests.at(-1)!;
    expect(recorded.path).toBe("/v1/messages");
    expect(recorded.headers.authorization).toBe("Bearer test");
    expect(recorded.body).toEqual({
      model: "claude-sonnet-5-5",
      stream: true,
      max_tokens: 4096,
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    });
  });
});

describe("anthropic provider: error matrix", () => {

  it("429 with retry-after → rate_limit with the delay", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 429,
      body: anthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
      headers: { "retry-after": "3" },
    });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.details).toMatchObject({ retryAfterMs: 3000, httpStatus: 429 });
    expect(error.message).toBe("Number of request tokens has exceeded your per-minute rate limit");
  });

  it("401 → auth", async () => {
    server.enqueue("anthropic-messages", { kind: "error", status: 401, body: anthropicError("authentication_error", "invalid x-api-key") });
    expect((await failure()).kind).toBe("auth");
  });

  it("400 prompt is too long → context_window", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 400,
      body: anthropicError("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
    });
    expect((await failure()).kind).toBe("context_window");
  });

  it("other 400 → bad_request", async () => {
    server.enqueue("anthropic-messages", { kind: "error", status: 400, body: anthropicError("invalid_request_error", "tools.0.name: invalid") });
    expect((await failure()).kind).toBe("bad_request");
  });

  it("500 → unavailable", async () => {
    server.enqueue("anthropic-messages", { kind: "error", status: 500, body: anthropicError("api_error", "Internal server error") });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.details.httpStatus).toBe(500);
  });

  it("529 overloaded → unavailable", async () => {
    server.enqueue("anthropic-messages", { kind: "error", status: 529, body: anthropicError("overloaded_error", "Overloaded") });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.details.httpStatus).toBe(529);
  });

  it("an overloaded_error inside a 200 stream → unavailable, after the deltas before it", async () => {
    server.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: [...startWithText("Hel"), anthropicError("overloaded_error", "Overloaded")],
    });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
    expect((error as ProviderError).message).toBe("Overloaded");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta"]);
  });

  it("a rate_limit_error inside a 200 stream → rate_limit", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [messageStart, anthropicError("rate_limit_error", "slow down")] });
    expect((await failure()).kind).toBe("rate_limit");
  });

  // The connection drops mid-body: undici fails the read with `TypeError: terminated`.
  it("a truncated stream → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [...startWithText("Hel"), textDelta("lo")], then: "truncate" });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("malformed");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta", "textDelta"]);
  });

  it("a stream that ends cleanly but without message_stop → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: startWithText("Hel") });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes (invalid JSON in a named event) → malformed", async () => {
    server.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: startWithText("Hel"),
      then: { garbage: "event: content_block_delta\ndata: {not json\n\n" },
    });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes outside SSE framing → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: startWithText("Hel"), then: { garbage: "\u0000\u0001\u00ffgarbage\r\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an event of the wrong shape → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [messageStart, { type: "content_block_delta", index: "zero", delta: { type: "text_delta", text: 1 } }] });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an unreachable server → unavailable", async () => {
    const url = await closedServerUrl();
    const p = createAnthropicProvider({ apiKey: "test", baseURL: url });
    const { error } = await eventsUntilFailure(p, request);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
  });
});

describe("anthropic provider: cancel", () => {
  it("aborting the signal mid-stream closes the HTTP request and rethrows the abort reason", async () => {
    server.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: startWithText("first"),
      then: "stall",
    });
    const seen = await expectCancelMidStream(server, provider(), request);
    expect(seen).toEqual(["first"]);
  });

  it("an abort before the response arrives rethrows the abort reason, not a ProviderError", async () => {
    await expectCancelBeforeResponse(server, collect);
  });
});
