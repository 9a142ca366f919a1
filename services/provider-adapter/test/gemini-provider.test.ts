import { describe, expect, it } from "vitest";
import { StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import { geminiError, listFixtures } from "@conduit/testing";
import { ProviderError } from "../src/core/provider-error.js";
import { createGeminiProvider } from "../src/providers/gemini/gemini-provider.js";
import { expectCancelBeforeResponse, expectCancelMidStream } from "./support/provider-cancel.js";
import { callsOf, collectEvents, expectOneFinishLast, expectToolCallArgumentsJson, failureOf, normalize } from "./support/provider-events.js";
import { closedServerUrl, useProviderServer } from "./support/provider-server.js";
import { userRequest } from "./support/requests.js";

const server = useProviderServer();

function provider() {
  return createGeminiProvider({ apiKey: "test-key", baseURL: server.url });
}

const request = userRequest("google/gemini-3-pro-preview", "Hi");

const { collect, failure, eventsThenFailure } = callsOf(provider, request);

const GENERATED_ID = /^call_[0-9a-f]{32}$/;

/**
 * The normalized events of a snapshot, with each tool call's signature (which `normalize` leaves
 * out) and its generated id, which differs per run, checked for its form and shown as `<generated>`.
 */
function forSnapshot(events: CompletionEvent[]) {
  const signatures = new Map<number, string>();
  for (const { event } of events) {
    if (event?.$case === "toolCallDelta" && event.value.signature !== undefined) signatures.set(event.value.index, event.value.signature);
  }
  return normalize(events).map((e) => {
    if (e.type !== "tool_call") return e;
    expect(e.id).toMatch(GENERATED_ID);
    return { ...e, id: "<generated>", signature: signatures.get(Number(e.index)) };
  });
}

const geminiRequests = () => server.requests.filter((r) => r.route === "gemini").length;

describe("gemini provider: recorded streams through the real SDK", () => {
  const fixtures = listFixtures("gemini");

  it("has recorded streams to replay", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)("replays %s", async (file) => {
    server.enqueue("gemini", { kind: "fixture", file });
    const events = await collect();
    expect(forSnapshot(events)).toMatchSnapshot();
    const normalized = normalize(events);

    // Exactly one finish, last; exactly one usage (every recorded chunk reports it), just before it.
    expectOneFinishLast(events);
    expect(events.filter((e) => e.event?.$case === "usage")).toHaveLength(1);
    expect(events.at(-2)?.event?.$case).toBe("usage");
    expectToolCallArgumentsJson(normalized);
  });

  it("assembles text and keeps the thought signature Gemini sends on a closing empty text part", async () => {
    server.enqueue("gemini", { kind: "fixture", file: "google-text.chunks.txt" });
    const events = await collect();
    const normalized = normalize(events);
    expect(normalized.map((e) => e.type)).toEqual(["text", "usage", "finish"]);
    expect(normalized[0]!.text).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(String(normalized[0]!.signature)).toMatch(/^EqsFCqgFAb4\+9vvtAF5n87/);
    const signed = events.filter((e) => e.event?.$case === "textDelta" && e.event.value.signature !== undefined);
    expect(signed).toHaveLength(1);
    expect(signed[0]!.event).toMatchObject({ value: { text: "" } });
    // Completion counts the thoughts in: 23 candidate tokens + 185 thought tokens.
    expect(normalized[1]).toEqual({
      type: "usage",
      promptTokens: 9,
      completionTokens: 208,
      cachedInputTokens: undefined,
      cacheWriteTokens: undefined,
      reasoningTokens: 185,
    });
    expect(normalized[2]).toEqual({ type: "finish", reason: "FINISH_REASON_STOP", rawReason: "STOP", model: "google/gemini-3-pro-preview" });
  });

  it("reports hidden reasoning (no thought parts asked for) only in the usage, with the answer's signature", async () => {
    server.enqueue("gemini", { kind: "fixture", file: "google-reasoning.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["text", "usage", "finish"]);
    expect(normalized[0]!.text).toBe('There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.');
    expect(String(normalized[0]!.signature)).toMatch(/^Eo0HCooHAb4\+9vutXdtKMt/);
    expect(normalized[1]).toMatchObject({ promptTokens: 9, completionTokens: 285, reasoningTokens: 256 });
  });

  it("takes a function call whole, with a generated id and its thought signature, and finishes STOP as TOOL_CALLS", async () => {
    server.enqueue("gemini", { kind: "fixture", file: "google-tool-call.chunks.txt" });
    const events = await collect();
    const calls = events.flatMap((e) => (e.event?.$case === "toolCallDelta" ? [e.event.value] : []));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ index: 0, name: "weather", argumentsDelta: '{"location":"San Francisco"}' });
    expect(calls[0]!.id).toMatch(GENERATED_ID);
    expect(calls[0]!.signature).toMatch(/^EqUCCqICAb4\+9vsh8Pd5/);
    expect(normalize(events).slice(-2)).toEqual([
      { type: "usage", promptTokens: 29, completionTokens: 60, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: 45 },
      { type: "finish", reason: "FINISH_REASON_TOOL_CALLS", rawReason: "STOP", model: "google/gemini-3-pro-preview" },
    ]);
  });

  it("sends the request the SDK way: the model's streamGenerateContent with alt=sse, the key, the contents", async () => {
    server.enqueue("gemini", { kind: "fixture", file: "google-text.chunks.txt" });
    await collect();
    const recorded = server.requests.at(-1)!;
    expect(recorded.method).toBe("POST");
    expect(recorded.path).toBe("/v1beta/models/gemini-3-pro-preview:streamGenerateContent");
    expect(recorded.query).toEqual({ alt: "sse" });
    expect(recorded.headers["x-goog-api-key"]).toBe("test-key");
    // Not even the SDK's own options (automaticContinuation, abortSignal) reach the wire.
    expect(recorded.body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }], generationConfig: {} });
  });

  it("sends system instruction, tools, tool config, thinking, limits and provider settings merged into the body", async () => {
    server.enqueue("gemini", { kind: "fixture", file: "google-text.chunks.txt" });
    const full = StreamCompletionRequest.fromPartial({
      ...request,
      system: "Be brief.",
      tools: [{ name: "weather", description: "The weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
      toolChoice: { choice: { $case: "toolName", value: "weather" } },
      reasoning: { setting: { $case: "budgetTokens", value: 2000 } },
      maxTokens: 500,
      temperature: 0.3,
      providerSettings: { generationConfig: { topP: 0.9 }, safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }] },
    });
    await collectEvents(provider(), full);
    expect(server.requests.at(-1)!.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      tools: [
        {
          functionDeclarations: [
            { name: "weather", description: "The weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } } },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] } },
      generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2000 }, maxOutputTokens: 500, temperature: 0.3, topP: 0.9 },
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
    });
  });
});

describe("gemini provider: stream endings", () => {
  const usage = { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 };
  const text = (t: string) => ({ candidates: [{ content: { role: "model", parts: [{ text: t }] }, index: 0 }] });

  it("a blocked prompt → CONTENT_FILTER with the block reason", async () => {
    server.enqueue("gemini", {
      kind: "stream",
      chunks: [{ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } }],
    });
    expect(normalize(await collect())).toEqual([
      { type: "usage", promptTokens: 12, completionTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
      { type: "finish", reason: "FINISH_REASON_CONTENT_FILTER", rawReason: "PROHIBITED_CONTENT", model: "google/gemini-3-pro-preview" },
    ]);
  });

  it("MAX_TOKENS → LENGTH, after the text", async () => {
    server.enqueue("gemini", {
      kind: "stream",
      chunks: [text("Once upon"), { candidates: [{ content: { role: "model", parts: [{ text: " a" }] }, finishReason: "MAX_TOKENS", index: 0 }], usageMetadata: usage }],
    });
    const normalized = normalize(await collect());
    expect(normalized[0]).toMatchObject({ type: "text", text: "Once upon a" });
    expect(normalized.at(-1)).toMatchObject({ reason: "FINISH_REASON_LENGTH", rawReason: "MAX_TOKENS" });
  });

  it("thought parts → reasoning deltas before the answer", async () => {
    server.enqueue("gemini", {
      kind: "stream",
      chunks: [
        { candidates: [{ content: { role: "model", parts: [{ text: "**Counting** letters", thought: true }] }, index: 0 }] },
        { candidates: [{ content: { role: "model", parts: [{ text: "Three." }] }, finishReason: "STOP", index: 0 }], usageMetadata: usage },
      ],
    });
    expect(normalize(await collect()).slice(0, 2)).toEqual([
      { type: "reasoning", text: "**Counting** letters", deltas: 1 },
      { type: "text", text: "Three.", deltas: 1 },
    ]);
  });

  it("a CONTINUATION finish ends the call: the SDK's automatic continuation sends no request of its own", async () => {
    const before = geminiRequests();
    server.enqueue("gemini", {
      kind: "stream",
      chunks: [{ candidates: [{ content: { role: "model", parts: [{ text: "Part one" }] }, finishReason: "CONTINUATION", continuationToken: "dG9r", index: 0 }] }],
    });
    const normalized = normalize(await collect());
    expect(normalized.at(-1)).toMatchObject({ type: "finish", reason: "FINISH_REASON_OTHER", rawReason: "CONTINUATION" });
    expect(geminiRequests() - before).toBe(1);
  });

  it("a stream that ends cleanly but without a finish reason → malformed, with no second request", async () => {
    const before = geminiRequests();
    server.enqueue("gemini", { kind: "stream", chunks: [text("Hel")] });
    expect((await failure()).kind).toBe("malformed");
    expect(geminiRequests() - before).toBe(1);
  });
});

describe("gemini provider: error matrix", () => {
  const text = (t: string) => ({ candidates: [{ content: { role: "model", parts: [{ text: t }] }, index: 0 }] });
  const retryInfo = (retryDelay: string) => ({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay });

  it("429 with RetryInfo's retryDelay → rate_limit with the delay, and the SDK does not retry", async () => {
    const before = geminiRequests();
    const body = geminiError("RESOURCE_EXHAUSTED", "You exceeded your current quota", 429);
    server.enqueue("gemini", {
      kind: "error",
      status: 429,
      body: { error: { ...body.error, details: [{ "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] }, retryInfo("7s")] } },
    });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.details).toMatchObject({ retryAfterMs: 7000, httpStatus: 429 });
    expect(error.message).toBe("You exceeded your current quota");
    expect(geminiRequests() - before).toBe(1);
  });

  it("429 with a retry-after header and no RetryInfo → rate_limit with the header's delay", async () => {
    server.enqueue("gemini", { kind: "error", status: 429, body: geminiError("RESOURCE_EXHAUSTED", "slow down", 429), headers: { "retry-after": "3" } });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.details.retryAfterMs).toBe(3000);
  });

  it("401 → auth", async () => {
    server.enqueue("gemini", { kind: "error", status: 401, body: geminiError("UNAUTHENTICATED", "Request had invalid authentication credentials.", 401) });
    expect((await failure()).kind).toBe("auth");
  });

  it("403 → auth", async () => {
    server.enqueue("gemini", { kind: "error", status: 403, body: geminiError("PERMISSION_DENIED", "Permission denied", 403) });
    expect((await failure()).kind).toBe("auth");
  });

  it("400 API_KEY_INVALID → auth", async () => {
    const body = geminiError("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", 400);
    server.enqueue("gemini", {
      kind: "error",
      status: 400,
      body: { error: { ...body.error, details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }] } },
    });
    expect((await failure()).kind).toBe("auth");
  });

  it("400 input token count exceeds the limit → context_window", async () => {
    server.enqueue("gemini", {
      kind: "error",
      status: 400,
      body: geminiError("INVALID_ARGUMENT", "The input token count (1196265) exceeds the maximum number of tokens allowed (1048575).", 400),
    });
    const error = await failure();
    expect(error.kind).toBe("context_window");
    expect(error.message).toBe("The input token count (1196265) exceeds the maximum number of tokens allowed (1048575).");
  });

  it("other 400 → bad_request", async () => {
    server.enqueue("gemini", { kind: "error", status: 400, body: geminiError("INVALID_ARGUMENT", "Invalid JSON payload received.", 400) });
    expect((await failure()).kind).toBe("bad_request");
  });

  it("500 → unavailable, and the SDK does not retry", async () => {
    const before = geminiRequests();
    server.enqueue("gemini", { kind: "error", status: 500, body: geminiError("INTERNAL", "An internal error has occurred.", 500) });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.details.httpStatus).toBe(500);
    expect(geminiRequests() - before).toBe(1);
  });

  it("503 UNAVAILABLE (overloaded) → unavailable", async () => {
    server.enqueue("gemini", { kind: "error", status: 503, body: geminiError("UNAVAILABLE", "The model is overloaded. Please try again later.", 503) });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.message).toBe("The model is overloaded. Please try again later.");
  });

  it("an error chunk inside a 200 stream → classified by its code, after the deltas before it", async () => {
    server.enqueue("gemini", { kind: "stream", chunks: [text("Hel"), geminiError("UNAVAILABLE", "The model is overloaded.", 503)] });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
    expect((error as ProviderError).message).toBe("The model is overloaded.");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta"]);
  });

  // The connection drops mid-body: undici fails the read with `TypeError: terminated`.
  it("a truncated stream → malformed, after the deltas before it", async () => {
    server.enqueue("gemini", { kind: "stream", chunks: [text("Hel"), text("lo")], then: "truncate" });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("malformed");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta", "textDelta"]);
  });

  it("garbage bytes (invalid JSON in a data line) → malformed", async () => {
    server.enqueue("gemini", { kind: "stream", chunks: [text("Hel")], then: { garbage: "data: {not json\n\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes outside SSE framing → malformed", async () => {
    server.enqueue("gemini", { kind: "stream", chunks: [text("Hel")], then: { garbage: "\u0000\u0001\u00ffgarbage\r\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("a chunk of the wrong shape → malformed", async () => {
    server.enqueue("gemini", { kind: "stream", chunks: [{ candidates: [{ content: { parts: [{ text: 42 }] }, index: 0 }] }] });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an unreachable server → unavailable", async () => {
    const url = await closedServerUrl();
    const p = createGeminiProvider({ apiKey: "test-key", baseURL: url });
    const error = await failureOf(collectEvents(p, request));
    expect(error.kind).toBe("unavailable");
  });
});

describe("gemini provider: cancel", () => {
  it("aborting the signal mid-stream closes the HTTP request and rethrows the abort reason", async () => {
    server.enqueue("gemini", {
      kind: "stream",
      chunks: [{ candidates: [{ content: { role: "model", parts: [{ text: "first" }] }, index: 0 }] }],
      then: "stall",
    });
    const seen = await expectCancelMidStream(server, provider(), request);
    expect(seen).toEqual(["first"]);
  });

  it("an abort before the response arrives rethrows the abort reason, not a ProviderError", async () => {
    await expectCancelBeforeResponse(server, collect);
  });
});
