import { describe, expect, it } from "vitest";
import { Message, MessageRole, type ContentPart } from "@conduit/proto/agent/v1";
import { anthropicError, geminiError, listFixtures } from "@conduit/testing";
import { ProviderError } from "../src/core/provider-error.js";
import { createAnthropicProvider } from "../src/providers/anthropic/anthropic-provider.js";
import { staticTokenClient } from "../src/providers/anthropic-cloud/google-auth.js";
import { createVertexProvider } from "../src/providers/anthropic-cloud/vertex-provider.js";
import { messageStart, startWithText, textBlockStart } from "./support/anthropic-wire.js";
import { expectCancelMidStream } from "./support/provider-cancel.js";
import { callsOf, collectEvents, normalize } from "./support/provider-events.js";
import { useProviderServer } from "./support/provider-server.js";
import { userMessage, userRequest } from "./support/requests.js";

const server = useProviderServer();

const MODEL = "claude-sonnet-4@20250514";

// A static token: the tests need no Google credentials.
function provider() {
  return createVertexProvider({
    projectId: "conduit-test",
    region: "us-east5",
    baseURL: `${server.url}/v1`,
    authClient: staticTokenClient("ya29.test-token"),
  });
}

const textPart = (t: string): ContentPart => ({ part: { $case: "text", value: { text: t } } });
const signedReasoning = (t: string, signature: string): ContentPart => ({ part: { $case: "reasoning", value: { text: t, signature, isNative: true } } });

const request = userRequest(`vertex/${MODEL}`, "Hi");

const { collect, failure, eventsThenFailure } = callsOf(provider, request);

describe("vertex provider: recorded Anthropic streams through the real SDK", () => {
  const fixtures = listFixtures("anthropic-messages");

  it("has recorded streams to replay", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)("replays %s into the same events as Anthropic's own API", async (file) => {
    server.enqueue("anthropic-messages", { kind: "fixture", file });
    const normalized = normalize(await collect());
    expect(normalized).toMatchSnapshot();

    server.enqueue("anthropic-messages", { kind: "fixture", file });
    const direct = normalize(await collectEvents(createAnthropicProvider({ apiKey: "test", baseURL: server.url }), request));
    expect(normalized).toEqual(direct);
    expect(normalized.at(-1)).toMatchObject({ type: "finish", model: `vertex/${MODEL}` });
  });

  it("assembles a JSON tool call's input from its pieces", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-json-tool.1.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["tool_call", "usage", "finish"]);
    expect(JSON.parse(String(normalized[0]!.arguments))).toEqual({
      elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }],
    });
    expect(normalized[2]).toMatchObject({ reason: "FINISH_REASON_TOOL_CALLS", rawReason: "tool_use" });
  });

  it("sends the static token as a bearer token, to the model's streamRawPredict path, the model out of the body", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    await collect();
    const recorded = server.requests.at(-1)!;
    expect(recorded.path).toBe(`/v1/projects/conduit-test/locations/us-east5/publishers/anthropic/models/${MODEL}:streamRawPredict`);
    expect(recorded.headers.authorization).toBe("Bearer ya29.test-token");
    expect(recorded.headers["x-api-key"]).toBeUndefined();
    expect(recorded.headers["anthropic-version"]).toBeUndefined();
    expect(recorded.body).toMatchObject({ stream: true, max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
    expect(recorded.body).not.toHaveProperty("model");
    expect(recorded.body).toHaveProperty("anthropic_version");
  });

  it("sends a vertex thinking signature back to vertex, not one another provider produced", async () => {
    const assistant = (model: string) =>
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_ASSISTANT,
        model,
        content: [
          signedReasoning("Think.", "sig"),
          textPart("Answer."),
        ],
      });
    const sentAssistant = async (model: string) => {
      server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-text.chunks.txt" });
      await collectEvents(provider(), { ...request, messages: [userMessage("Hi"), assistant(model), userMessage("And?")] });
      return (server.requests.at(-1)!.body as { messages: unknown[] }).messages[1];
    };
    expect(await sentAssistant(`vertex/${MODEL}`)).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Think.", signature: "sig" },
        { type: "text", text: "Answer." },
      ],
    });
    expect(await sentAssistant("bedrock/anthropic.claude-sonnet-4-20250514-v1:0")).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "Answer." }],
    });
  });
});

describe("vertex provider: error matrix", () => {

  it("429 with Google's quota error → rate_limit with its message", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 429,
      body: geminiError("RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model", 429),
    });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.message).toBe("Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model");
    expect(error.details.httpStatus).toBe(429);
  });

  it("429 rate_limit_error with retry-after → rate_limit with the delay", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 429,
      body: anthropicError("rate_limit_error", "slow down"),
      headers: { "retry-after": "4" },
    });
    expect((await failure()).details).toMatchObject({ retryAfterMs: 4000, httpStatus: 429 });
  });

  it("401 UNAUTHENTICATED (an expired token) → auth", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 401,
      body: geminiError("UNAUTHENTICATED", "Request had invalid authentication credentials.", 401),
    });
    expect((await failure()).kind).toBe("auth");
  });

  it("403 PERMISSION_DENIED → auth", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 403,
      body: geminiError("PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied", 403),
    });
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
    server.enqueue("anthropic-messages", { kind: "error", status: 500, body: geminiError("INTERNAL", "Internal error encountered.", 500) });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.details.httpStatus).toBe(500);
  });

  it("529 overloaded → unavailable", async () => {
    server.enqueue("anthropic-messages", { kind: "error", status: 529, body: anthropicError("overloaded_error", "Overloaded") });
    expect((await failure()).kind).toBe("unavailable");
  });

  it("an overloaded_error inside the 200 stream → unavailable, after the deltas before it", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [...startWithText("Hel"), anthropicError("overloaded_error", "Overloaded")] });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta"]);
  });

  it("a truncated stream → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: startWithText("Hel"), then: "truncate" });
    expect((await failure()).kind).toBe("malformed");
  });

  it("a stream that ends cleanly but without message_stop → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: startWithText("Hel") });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes (invalid JSON in a named event) → malformed", async () => {
    server.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: [messageStart, textBlockStart],
      then: { garbage: "event: content_block_delta\ndata: {not json\n\n" },
    });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an event of the wrong shape → malformed", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [messageStart, { type: "content_block_delta", index: "zero", delta: { type: "text_delta", text: 1 } }] });
    expect((await failure()).kind).toBe("malformed");
  });
});

describe("vertex provider: cancel", () => {
  it("aborting the signal mid-stream closes the HTTP request and rethrows the abort reason", async () => {
    server.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: startWithText("first"),
      then: "stall",
    });
    await expectCancelMidStream(server, provider(), request);
  });
});
