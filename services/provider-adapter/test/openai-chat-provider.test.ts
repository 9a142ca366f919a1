import { describe, expect, it } from "vitest";
import { listFixtures, openaiError } from "@conduit/testing";
import { ProviderError } from "../src/core/provider-error.js";
import { createOpenAIChatProvider } from "../src/providers/openai-chat/openai-chat-provider.js";
import { expectCancelBeforeResponse, expectCancelMidStream } from "./support/provider-cancel.js";
import { callsOf, eventsUntilFailure, expectOneFinishLast, expectToolCallArgumentsJson, normalize } from "./support/provider-events.js";
import { closedServerUrl, useProviderServer } from "./support/provider-server.js";
import { userRequest } from "./support/requests.js";

const server = useProviderServer();

function provider() {
  return createOpenAIChatProvider({ apiKey: "test", baseURL: `${server.url}/v1` });
}

const request = userRequest("openai/test-model", "Hi");

const { collect, failure, eventsThenFailure } = callsOf(provider, request);

describe("openai-chat provider: recorded streams through the real SDK", () => {
  const fixtures = listFixtures("openai-chat");

  it("has recorded streams to replay", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)("replays %s", async (file) => {
    server.enqueue("openai-chat", { kind: "fixture", file });
    const events = await collect();
    const normalized = normalize(events);
    expect(normalized).toMatchSnapshot();

    // Exactly one finish, last; at most one usage, just before it.
    expectOneFinishLast(events);
    expect(events.filter((e) => e.event?.$case === "usage").length).toBeLessThanOrEqual(1);
    expectToolCallArgumentsJson(normalized);
  });

  it("assembles DeepSeek's reasoning, then its tool call with arguments split over many chunks", async () => {
    server.enqueue("openai-chat", { kind: "fixture", file: "deepseek-tool-call.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["reasoning", "tool_call", "usage", "finish"]);
    const call = normalized[1]!;
    expect(call.name).toBe("weather");
    expect(typeof call.id).toBe("string");
    expect(JSON.parse(String(call.arguments))).toEqual({ location: expect.any(String) });
    expect(normalized[2]).toMatchObject({ promptTokens: 339, completionTokens: 83, cachedInputTokens: 320, reasoningTokens: 39 });
    expect(normalized[3]).toMatchObject({ reason: "FINISH_REASON_TOOL_CALLS", rawReason: "tool_calls", model: "openai/test-model" });
  });

  it("assembles DeepSeek's long reasoning, then its answer", async () => {
    server.enqueue("openai-chat", { kind: "fixture", file: "deepseek-reasoning.chunks.txt" });
    const events = await collect();
    const normalized = normalize(events);
    expect(normalized.map((e) => e.type)).toEqual(["reasoning", "text", "usage", "finish"]);
    expect(String(normalized[0]!.text)).toMatch(/^We need to count the number of the letter "r"/);
    expect(normalized[1]!.text).toBe('The word "strawberry" contains three "r"s.');
    expect(normalized[2]).toMatchObject({ promptTokens: 18, completionTokens: 219, cachedInputTokens: 0, reasoningTokens: 205 });
    expect(normalized[3]).toMatchObject({ reason: "FINISH_REASON_STOP", rawReason: "stop" });
    // No empty deltas: DeepSeek's `"reasoning_content": ""` / `"content": ""` chunks are skipped.
    for (const { event } of events) {
      if (event?.$case === "textDelta" || event?.$case === "reasoningDelta") expect(event.value.text).not.toBe("");
    }
  });

  it("takes Groq's whole-chunk tool call and its usage", async () => {
    server.enqueue("openai-chat", { kind: "fixture", file: "groq-tool-call.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized).toEqual([
      { type: "tool_call", index: 0, id: "tk85n1k4m", name: "weather", arguments: "{}", deltas: 1 },
      {
        type: "usage",
        promptTokens: 210,
        completionTokens: 15,
        cachedInputTokens: undefined,
        cacheWriteTokens: undefined,
        reasoningTokens: undefined,
      },
      { type: "finish", reason: "FINISH_REASON_TOOL_CALLS", rawReason: "tool_calls", model: "openai/test-model" },
    ]);
  });

  it("assembles OpenAI's text and keeps its reported zero counts", async () => {
    server.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["text", "usage", "finish"]);
    expect(String(normalized[0]!.text)).toMatch(/^\*\*Holiday/);
    // OpenAI reported these counts as 0: known zeros, not unknowns.
    expect(normalized[1]).toMatchObject({ promptTokens: 16, completionTokens: 300, cachedInputTokens: 0, reasoningTokens: 0 });
    expect(normalized[2]).toMatchObject({ reason: "FINISH_REASON_STOP", rawReason: "stop" });
  });

  it("sends the request the SDK way: streaming with usage, the model part of the handle", async () => {
    server.enqueue("openai-chat", { kind: "fixture", file: "groq-tool-call.chunks.txt" });
    await collect();
    const recorded = server.requests.at(-1)!;
    expect(recorded.path).toBe("/v1/chat/completions");
    expect(recorded.headers.authorization).toBe("Bearer test");
    expect(recorded.body).toMatchObject({
      model: "test-model",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Hi" }],
    });
  });
});

describe("openai-chat provider: error matrix", () => {
  const chunk = (d: object, finish_reason: string | null = null) => ({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: d, finish_reason }],
  });

  it("429 with retry-after → rate_limit with the delay", async () => {
    server.enqueue("openai-chat", {
      kind: "error",
      status: 429,
      body: openaiError("requests", "Rate limit reached", "rate_limit_exceeded"),
      headers: { "retry-after": "3" },
    });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.details).toMatchObject({ retryAfterMs: 3000, httpStatus: 429 });
  });

  it("401 → auth", async () => {
    server.enqueue("openai-chat", { kind: "error", status: 401, body: openaiError("invalid_request_error", "Incorrect API key", "invalid_api_key") });
    expect((await failure()).kind).toBe("auth");
  });

  it("400 context_length_exceeded → context_window", async () => {
    server.enqueue("openai-chat", {
      kind: "error",
      status: 400,
      body: openaiError("invalid_request_error", "This model's maximum context length is 8192 tokens.", "context_length_exceeded"),
    });
    expect((await failure()).kind).toBe("context_window");
  });

  it("other 400 → bad_request", async () => {
    server.enqueue("openai-chat", { kind: "error", status: 400, body: openaiError("invalid_request_error", "Invalid tools") });
    expect((await failure()).kind).toBe("bad_request");
  });

  it("500 → unavailable", async () => {
    server.enqueue("openai-chat", { kind: "error", status: 500, body: openaiError("server_error", "The server had an error") });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.details.httpStatus).toBe(500);
  });

  it("an error inside a 200 stream → classified by its type", async () => {
    server.enqueue("openai-chat", {
      kind: "stream",
      chunks: [chunk({ content: "Hel" }), { error: { message: "Overloaded", type: "server_error", code: null } }],
    });
    expect((await failure()).kind).toBe("unavailable");
  });

  // The connection drops mid-body: undici fails the read with `TypeError: terminated`. The
  // provider had started answering, so this is a cut-off (malformed) stream, not a failed
  // connection: kind `malformed` → UNAVAILABLE / MALFORMED_RESPONSE at the edge.
  it("a truncated stream → malformed", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk({ content: "Hel" }), chunk({ content: "lo" })], then: "truncate" });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("malformed");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta", "textDelta"]);
  });

  it("a stream that ends cleanly but without a finish reason → malformed", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk({ content: "Hel" })] });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes (invalid JSON in a data line) → malformed", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk({ content: "Hel" })], then: { garbage: "data: {not json\n\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes outside SSE framing → malformed", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk({ content: "Hel" })], then: { garbage: "\u0000\u0001\u00ffgarbage\r\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("a chunk of the wrong shape → malformed", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk({ content: 42 }, "stop")] });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an unreachable server → unavailable", async () => {
    const url = await closedServerUrl();
    const p = createOpenAIChatProvider({ apiKey: "test", baseURL: `${url}/v1` });
    const { error } = await eventsUntilFailure(p, request);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
  });
});

describe("openai-chat provider: cancel", () => {
  it("aborting the signal mid-stream closes the HTTP request and rethrows the abort reason", async () => {
    server.enqueue("openai-chat", {
      kind: "stream",
      chunks: [{ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "first" }, finish_reason: null }] }],
      then: "stall",
    });
    const seen = await expectCancelMidStream(server, provider(), request);
    expect(seen).toEqual(["first"]);
  });

  it("an abort before the response arrives rethrows the abort reason, not a ProviderError", async () => {
    await expectCancelBeforeResponse(server, collect);
  });
});
