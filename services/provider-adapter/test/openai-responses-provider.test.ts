import { describe, expect, it } from "vitest";
import { type CompletionEvent } from "@conduit/proto/provider/v1";
import { fixtureChunks, listFixtures, openaiError } from "@conduit/testing";
import type { ModelProvider } from "../src/core/model-provider.js";
import { ProviderError } from "../src/core/provider-error.js";
import { createAzureOpenAIProvider, createOpenAIResponsesProvider } from "../src/providers/openai-responses/openai-responses-provider.js";
import { expectCancelMidStream } from "./support/provider-cancel.js";
import { collectEvents, eventsUntilFailure, expectOneFinishLast, expectToolCallArgumentsJson, failureOf, normalize } from "./support/provider-events.js";
import { closedServerUrl, useProviderServer } from "./support/provider-server.js";
import { userRequest } from "./support/requests.js";

const server = useProviderServer();

const provider = () => createOpenAIResponsesProvider({ apiKey: "test", baseURL: `${server.url}/v1` });
const azure = () => createAzureOpenAIProvider({ apiKey: "azure-test-key", endpoint: `${server.url}/`, apiVersion: "2025-04-01-preview" });

const requestFor = (model: string) => userRequest(model, "Hi");
const request = requestFor("openai-responses/test-model");

const collect = (p: ModelProvider = provider(), signal?: AbortSignal) => collectEvents(p, p.name === "azure" ? requestFor("azure/my-deployment") : request, signal);
const failure = () => failureOf(collect());

/** normalize(), with each summarized_reasoning shown: id, summaries, and the encrypted content abbreviated. */
function normalizeAll(events: CompletionEvent[]) {
  const out: Array<Record<string, unknown>> = [];
  let run: CompletionEvent[] = [];
  for (const e of events) {
    if (e.event?.$case !== "summarizedReasoning") {
      run.push(e);
      continue;
    }
    out.push(...normalize(run));
    run = [];
    const { id, summaries, encryptedContent } = e.event.value;
    const encrypted = encryptedContent === undefined ? undefined : `${encryptedContent.slice(0, 16)}… (${encryptedContent.length} chars)`;
    out.push({ type: "summarized_reasoning", id, summaries, encrypted });
  }
  return [...out, ...normalize(run)];
}

// Lines 1 and 6 are not JSON as published (see the fixtures README): the stream is malformed.
const MALFORMED = "parallel-tool-call-wrapper.1.chunks.txt";
const parsedLines = (file: string) => fixtureChunks("openai-responses", file).map((line) => JSON.parse(line) as { type: string });

describe("openai-responses provider: recorded streams through the real SDK", () => {
  const fixtures = listFixtures("openai-responses");

  it("has recorded streams to replay", () => {
    expect(fixtures).toContain(MALFORMED);
    expect(fixtures.length).toBeGreaterThan(1);
  });

  it.each(fixtures)("replays %s", async (file) => {
    server.enqueue("openai-responses", { kind: "fixture", file });
    const { seen: events, error } = await eventsUntilFailure(provider(), request);
    if (error !== undefined) {
      expect(error).toBeInstanceOf(ProviderError);
      const { kind, message } = error as ProviderError;
      expect({ events: normalizeAll(events), error: { kind, message } }).toMatchSnapshot();
      return;
    }
    const normalized = normalizeAll(events);
    expect(normalized).toMatchSnapshot();
    // Exactly one finish, last; at most one usage, just before it.
    expectOneFinishLast(events);
    expect(events.filter((e) => e.event?.$case === "usage").length).toBeLessThanOrEqual(1);
    expectToolCallArgumentsJson(normalized);
  });

  it("reads the reasoning item with its encrypted content, then the function call, of the first recorded response", async () => {
    server.enqueue("openai-responses", { kind: "fixture", file: "openai-reasoning-encrypted-content.1.chunks.txt" });
    const events = await collect();
    const normalized = normalizeAll(events);
    expect(normalized.map((e) => e.type)).toEqual(["reasoning", "summarized_reasoning", "tool_call", "usage", "finish"]);
    expect(String(normalized[0]!.text)).toMatch(/^\*\*Calculating step-by-step using calculator\*\*\n\nI'll compute 12 plus 7/);
    const done = parsedLines("openai-reasoning-encrypted-content.1.chunks.txt").find((e) => e.type === "response.output_item.done") as unknown as {
      item: { id: string; encrypted_content: string };
    };
    const summarized = events.find((e) => e.event?.$case === "summarizedReasoning")?.event;
    expect(summarized).toMatchObject({ value: { id: done.item.id, encryptedContent: done.item.encrypted_content } });
    expect(normalized[2]).toMatchObject({ index: 0, id: "call_AB6AaRZ1FYZB2RwS6A5vbdqn", name: "calculator", arguments: '{"a":12,"b":7,"op":"add"}' });
    expect(normalized[4]).toMatchObject({ reason: "FINISH_REASON_TOOL_CALLS", rawReason: "completed", model: "openai-responses/test-model" });
  });

  it("replays each response the recorded file holds, one stream each", async () => {
    const lines = parsedLines("openai-reasoning-encrypted-content.1.chunks.txt");
    const responses: Array<typeof lines> = [];
    for (const line of lines) {
      if (line.type === "response.created") responses.push([]);
      responses.at(-1)!.push(line);
    }
    const shapes: string[][] = [];
    for (const chunks of responses) {
      server.enqueue("openai-responses", { kind: "stream", chunks });
      shapes.push(normalizeAll(await collect()).map((e) => String(e.type)));
    }
    expect(shapes).toEqual([
      ["reasoning", "summarized_reasoning", "tool_call", "usage", "finish"],
      ["tool_call", "usage", "finish"],
      ["tool_call", "usage", "finish"],
      ["text", "usage", "finish"],
    ]);
  });

  it("ends the as-published parallel-tool-call-wrapper stream with a malformed error", async () => {
    server.enqueue("openai-responses", { kind: "fixture", file: MALFORMED });
    const error = await failure();
    expect(error.kind).toBe("malformed");
    expect(error.message).toMatch(/invalid JSON/);
  });

  it("reads the one wrapper call of parallel-tool-call-wrapper once its two lines are repaired", async () => {
    const chunks = fixtureChunks("openai-responses", MALFORMED).map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return JSON.parse(`${line}}`) as unknown;
      }
    });
    server.enqueue("openai-responses", { kind: "stream", chunks });
    const normalized = normalizeAll(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["tool_call", "usage", "finish"]);
    expect(normalized[0]).toMatchObject({ index: 0, id: "call_parallel", name: "parallel" });
    expect(JSON.parse(String(normalized[0]!.arguments))).toMatchObject({ tool_uses: [{ recipient_name: "functions.weather" }, { recipient_name: "functions.cityAttractions" }] });
    expect(normalized[1]).toMatchObject({ promptTokens: 34, completionTokens: 28, cachedInputTokens: 0, reasoningTokens: 0 });
    expect(normalized[2]).toMatchObject({ reason: "FINISH_REASON_TOOL_CALLS", rawReason: "completed" });
  });

  it("ends the recorded in-stream error (exhausted quota) as rate_limit with the provider's message", async () => {
    server.enqueue("openai-responses", { kind: "fixture", file: "openai-error.1.chunks.txt" });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.message).toMatch(/exceeded your current quota/);
  });

  it("sends the request the SDK way: POST /v1/responses, stateless, the model part of the handle (no encrypted reasoning asked of a model that does not reason)", async () => {
    server.enqueue("openai-responses", { kind: "fixture", file: "azure-text.1.chunks.txt" });
    await collect();
    const recorded = server.requests.at(-1)!;
    expect(recorded.path).toBe("/v1/responses");
    expect(recorded.headers.authorization).toBe("Bearer test");
    expect(recorded.body).toEqual({
      model: "test-model",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] }],
      stream: true,
      store: false,
    });
  });
});

describe("azure provider: Responses API through the SDK's AzureOpenAI client", () => {
  it("replays azure-text with the deployment as the model, the api-key header and the api-version", async () => {
    server.enqueue("openai-responses", { kind: "fixture", file: "azure-text.1.chunks.txt" });
    const p = azure();
    expect(p.name).toBe("azure");
    const normalized = normalizeAll(await collect(p));
    expect(normalized).toEqual([
      { type: "text", text: "Hello", deltas: 1 },
      { type: "usage", promptTokens: 11, completionTokens: 11, cachedInputTokens: 0, cacheWriteTokens: undefined, reasoningTokens: 0 },
      { type: "finish", reason: "FINISH_REASON_STOP", rawReason: "completed", model: "azure/my-deployment" },
    ]);
    const recorded = server.requests.at(-1)!;
    expect(recorded.path).toBe("/openai/responses");
    expect(recorded.query).toEqual({ "api-version": "2025-04-01-preview" });
    expect(recorded.headers["api-key"]).toBe("azure-test-key");
    expect(recorded.body).toMatchObject({ model: "my-deployment", stream: true, store: false });
  });

  it("classifies Azure's HTTP errors like OpenAI's", async () => {
    server.enqueue("openai-responses", { kind: "error", status: 429, body: openaiError("requests", "Rate limit", "429"), headers: { "retry-after": "7" } });
    const error = await failureOf(collect(azure()));
    expect(error).toMatchObject({ kind: "rate_limit", details: { retryAfterMs: 7000, httpStatus: 429 } });
  });
});

describe("openai-responses provider: error matrix", () => {
  const delta = (text: string) => ({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: text });
  const completed = { type: "response.completed", response: { id: "resp_1", status: "completed", usage: null } };

  it("429 with retry-after → rate_limit with the delay", async () => {
    server.enqueue("openai-responses", {
      kind: "error",
      status: 429,
      body: openaiError("requests", "Rate limit reached", "rate_limit_exceeded"),
      headers: { "retry-after": "3" },
    });
    const error = await failure();
    expect(error).toMatchObject({ kind: "rate_limit", details: { retryAfterMs: 3000, httpStatus: 429 } });
  });

  it("401 → auth", async () => {
    server.enqueue("openai-responses", { kind: "error", status: 401, body: openaiError("invalid_request_error", "Incorrect API key", "invalid_api_key") });
    expect(await failure()).toMatchObject({ kind: "auth", details: { httpStatus: 401 } });
  });

  it("400 context_length_exceeded → context_window", async () => {
    server.enqueue("openai-responses", {
      kind: "error",
      status: 400,
      body: openaiError("invalid_request_error", "Your input exceeds the context window of this model.", "context_length_exceeded"),
    });
    expect(await failure()).toMatchObject({ kind: "context_window", details: { httpStatus: 400 } });
  });

  it("other 400 → bad_request", async () => {
    server.enqueue("openai-responses", { kind: "error", status: 400, body: openaiError("invalid_request_error", "Unknown parameter: 'foo'.") });
    expect((await failure()).kind).toBe("bad_request");
  });

  it("500 → unavailable", async () => {
    server.enqueue("openai-responses", { kind: "error", status: 500, body: openaiError("server_error", "The server had an error") });
    expect(await failure()).toMatchObject({ kind: "unavailable", details: { httpStatus: 500 } });
  });

  it("an error event inside the 200 stream, then response.failed → classified by its code, after the deltas before it", async () => {
    server.enqueue("openai-responses", {
      kind: "stream",
      chunks: [
        delta("Hel"),
        { type: "error", code: "server_error", message: "The server had an error while processing your request.", param: null, sequence_number: 2 },
        { type: "response.failed", response: { id: "resp_1", status: "failed", error: { code: "server_error", message: "The server had an error" } } },
      ],
    });
    const { seen, error } = await eventsUntilFailure(provider(), request);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "unavailable", message: "The server had an error while processing your request." });
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta"]);
  });

  it("response.failed alone → classified by the response's error code", async () => {
    server.enqueue("openai-responses", {
      kind: "stream",
      chunks: [{ type: "response.failed", response: { id: "resp_1", status: "failed", error: { code: "rate_limit_exceeded", message: "slow down" } } }],
    });
    expect(await failure()).toMatchObject({ kind: "rate_limit", message: "slow down" });
  });

  it("a truncated stream → malformed, after the deltas it carried", async () => {
    server.enqueue("openai-responses", { kind: "stream", chunks: [delta("Hel"), delta("lo")], then: "truncate" });
    const { seen, error } = await eventsUntilFailure(provider(), request);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("malformed");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta", "textDelta"]);
  });

  it("a stream that ends cleanly but without response.completed → malformed", async () => {
    server.enqueue("openai-responses", { kind: "stream", chunks: [delta("Hel")] });
    expect(await failure()).toMatchObject({ kind: "malformed", message: expect.stringMatching(/without response.completed/) });
  });

  it("garbage bytes (invalid JSON in a data line) → malformed", async () => {
    server.enqueue("openai-responses", {
      kind: "stream",
      chunks: [delta("Hel")],
      then: { garbage: "event: response.output_text.delta\ndata: {not json\n\n" },
    });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes outside SSE framing → malformed", async () => {
    server.enqueue("openai-responses", { kind: "stream", chunks: [delta("Hel")], then: { garbage: "\u0000\u0001\u00ffgarbage\r\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an event of the wrong shape → malformed", async () => {
    server.enqueue("openai-responses", { kind: "stream", chunks: [{ ...delta("x"), delta: 42 }, completed] });
    expect(await failure()).toMatchObject({ kind: "malformed", message: expect.stringMatching(/response.output_text.delta event of an unexpected shape/) });
  });

  it("an unreachable server → unavailable", async () => {
    const url = await closedServerUrl();
    const error = await failureOf(collect(createOpenAIResponsesProvider({ apiKey: "test", baseURL: `${url}/v1` })));
    expect(error.kind).toBe("unavailable");
  });
});

describe("openai-responses provider: cancel", () => {
  it("aborting the signal mid-stream closes the HTTP request and rethrows the abort reason", async () => {
    server.enqueue("openai-responses", {
      kind: "stream",
      chunks: [{ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "first" }],
      then: "stall",
    });
    const seen = await expectCancelMidStream(server, provider(), request);
    expect(seen).toEqual(["first"]);
  });
});
