import { describe, expect, it } from "vitest";
import { Message, MessageRole, type ContentPart } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { anthropicError, bedrockError, bedrockException, listFixtures } from "@conduit/testing";
import { ProviderError } from "../src/core/provider-error.js";
import { createAnthropicProvider } from "../src/providers/anthropic/anthropic-provider.js";
import { createBedrockProvider } from "../src/providers/anthropic-cloud/bedrock-provider.js";
import { messageStart, startWithText, textDelta } from "./support/anthropic-wire.js";
import { expectCancelMidStream } from "./support/provider-cancel.js";
import { callsOf, collectEvents, failureOf, normalize } from "./support/provider-events.js";
import { closedServerUrl, useProviderServer } from "./support/provider-server.js";
import { userMessage, userRequest } from "./support/requests.js";

const server = useProviderServer();

const MODEL_ID = "anthropic.claude-sonnet-4-20250514-v1:0";

function provider(keys: { sessionToken?: string } = {}) {
  return createBedrockProvider({
    region: "eu-west-3",
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ...keys,
    baseURL: server.url,
  });
}

const textPart = (t: string): ContentPart => ({ part: { $case: "text", value: { text: t } } });
const signedReasoning = (t: string, signature: string): ContentPart => ({ part: { $case: "reasoning", value: { text: t, signature, isNative: true } } });

const request = userRequest(`bedrock/${MODEL_ID}`, "Hi");

const { collect, failure, eventsThenFailure } = callsOf(provider, request);

describe("bedrock provider: recorded Anthropic streams in event-stream framing, through the real SDK", () => {
  const fixtures = listFixtures("bedrock");

  it("replays the anthropic-messages recordings", () => {
    expect(fixtures).toEqual(listFixtures("anthropic-messages"));
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)("replays %s into the same events as Anthropic's own API", async (file) => {
    server.enqueue("bedrock", { kind: "fixture", file });
    const normalized = normalize(await collect());
    expect(normalized).toMatchSnapshot();

    server.enqueue("anthropic-messages", { kind: "fixture", file });
    const direct = normalize(await collectEvents(createAnthropicProvider({ apiKey: "test", baseURL: server.url }), request));
    expect(normalized).toEqual(direct);
    expect(normalized.at(-1)).toMatchObject({ type: "finish", model: `bedrock/${MODEL_ID}` });
  });

  it("assembles thinking with its signature, then the answer", async () => {
    server.enqueue("bedrock", { kind: "fixture", file: "anthropic-clear-thinking.1.chunks.txt" });
    const normalized = normalize(await collect());
    expect(normalized.map((e) => e.type)).toEqual(["reasoning", "text", "usage", "finish"]);
    expect(normalized[0]!.text).toBe("The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185");
    expect(String(normalized[0]!.signature)).toMatch(/^EvQBCkYICxgCKkAxhD4N/);
    expect(normalized[2]).toMatchObject({ promptTokens: 69, completionTokens: 53 });
    expect(normalized[3]).toMatchObject({ reason: "FINISH_REASON_STOP", rawReason: "end_turn" });
  });

  it("signs the request with SigV4 and sends it the Bedrock way: model in the path, no model or stream in the body", async () => {
    server.enqueue("bedrock", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    await collectEvents(provider({ sessionToken: "session-token" }), request);
    const recorded = server.requests.at(-1)!;
    expect(recorded.route).toBe("bedrock");
    expect(recorded.path).toBe(`/model/${MODEL_ID}/invoke-with-response-stream`);
    expect(recorded.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(recorded.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(recorded.headers["x-amz-security-token"]).toBe("session-token");
    expect(recorded.headers["x-api-key"]).toBeUndefined();
    expect(recorded.body).toMatchObject({ max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
    expect(recorded.body).not.toHaveProperty("model");
    expect(recorded.body).not.toHaveProperty("stream");
    expect(recorded.body).toHaveProperty("anthropic_version");
  });

  it("sends a bedrock thinking signature back to bedrock, and drops it when the conversation moves to anthropic", async () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: `bedrock/${MODEL_ID}`,
      content: [
        signedReasoning("Think.", "bedrock-sig"),
        { part: { $case: "redactedReasoning", value: { data: "bedrock-redacted" } } } satisfies ContentPart,
        textPart("Answer."),
      ],
    });
    const followUp = StreamCompletionRequest.fromPartial({ model: `bedrock/${MODEL_ID}`, messages: [userMessage("Hi"), assistant, userMessage("And?")] });

    server.enqueue("bedrock", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    await collectEvents(provider(), followUp);
    expect((server.requests.at(-1)!.body as { messages: unknown[] }).messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Think.", signature: "bedrock-sig" },
        { type: "redacted_thinking", data: "bedrock-redacted" },
        { type: "text", text: "Answer." },
      ],
    });

    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    const anthropic = createAnthropicProvider({ apiKey: "test", baseURL: server.url });
    await collectEvents(anthropic, { ...followUp, model: "anthropic/claude-sonnet-5-5" });
    expect((server.requests.at(-1)!.body as { messages: unknown[] }).messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "Answer." }],
    });
  });
});

describe("bedrock provider: error matrix", () => {

  it("429 ThrottlingException → rate_limit with Bedrock's message", async () => {
    server.enqueue("bedrock", bedrockError(429, "ThrottlingException", "Too many requests, please wait before trying again."));
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.message).toBe("Too many requests, please wait before trying again.");
    expect(error.details.httpStatus).toBe(429);
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it("429 with retry-after → rate_limit with the delay", async () => {
    server.enqueue("bedrock", bedrockError(429, "ThrottlingException", "Too many requests", { "retry-after": "2" }));
    expect((await failure()).details).toMatchObject({ retryAfterMs: 2000, httpStatus: 429 });
  });

  it("403 AccessDeniedException → auth", async () => {
    server.enqueue("bedrock", bedrockError(403, "AccessDeniedException", "You don't have access to the model with the specified model ID."));
    expect((await failure()).kind).toBe("auth");
  });

  it("403 UnrecognizedClientException (a bad key) → auth", async () => {
    server.enqueue("bedrock", bedrockError(403, "UnrecognizedClientException", "The security token included in the request is invalid."));
    const error = await failure();
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("The security token included in the request is invalid.");
  });

  it("an error body with `Message` (as some AWS front ends send it) and no exception name → classed by status, with its message", async () => {
    server.enqueue("bedrock", { kind: "error", status: 403, body: { Message: "User is not authorized to perform: bedrock:InvokeModel" } });
    const error = await failure();
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("User is not authorized to perform: bedrock:InvokeModel");
  });

  it("400 ValidationException: input is too long → context_window", async () => {
    server.enqueue("bedrock", bedrockError(400, "ValidationException", "Input is too long for requested model."));
    expect((await failure()).kind).toBe("context_window");
  });

  it("400 ValidationException: prompt is too long → context_window", async () => {
    server.enqueue("bedrock", bedrockError(400, "ValidationException", "prompt is too long: 208310 tokens > 200000 maximum"));
    expect((await failure()).kind).toBe("context_window");
  });

  it("other 400 ValidationException → bad_request", async () => {
    server.enqueue("bedrock", bedrockError(400, "ValidationException", "messages.0.content: Field required"));
    const error = await failure();
    expect(error.kind).toBe("bad_request");
    expect(error.details.httpStatus).toBe(400);
  });

  it("500 InternalServerException → unavailable", async () => {
    server.enqueue("bedrock", bedrockError(500, "InternalServerException", "Internal server error"));
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.details.httpStatus).toBe(500);
  });

  it("503 ServiceUnavailableException → unavailable", async () => {
    server.enqueue("bedrock", bedrockError(503, "ServiceUnavailableException", "Bedrock is unable to process your request."));
    expect((await failure()).kind).toBe("unavailable");
  });

  it("424 ModelErrorException → unavailable", async () => {
    server.enqueue("bedrock", bedrockError(424, "ModelErrorException", "The model failed to process the request."));
    expect((await failure()).kind).toBe("unavailable");
  });

  it("a throttlingException inside the 200 stream → rate_limit", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [messageStart, bedrockException("throttlingException", "Too many tokens, please wait before trying again.")] });
    const error = await failure();
    expect(error.kind).toBe("rate_limit");
    expect(error.message).toBe("Too many tokens, please wait before trying again.");
  });

  it("a modelStreamErrorException after deltas → unavailable, after the deltas before it", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [...startWithText("Hel"), bedrockException("modelStreamErrorException", "The model stream failed.")] });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta"]);
  });

  it("an internalServerException inside the stream → unavailable", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [messageStart, bedrockException("internalServerException", "Internal error")] });
    expect((await failure()).kind).toBe("unavailable");
  });

  it("a validationException inside the stream saying the input is too long → context_window", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [bedrockException("validationException", "Input is too long for requested model.")] });
    expect((await failure()).kind).toBe("context_window");
  });

  it("an Anthropic overloaded_error relayed in a chunk → unavailable", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [messageStart, anthropicError("overloaded_error", "Overloaded")] });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.message).toBe("Overloaded");
  });

  it("a truncated stream → malformed, after the deltas before it", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [...startWithText("Hel"), textDelta("lo")], then: "truncate" });
    const { seen, error } = await eventsThenFailure();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("malformed");
    expect(seen.map((e) => e.event?.$case)).toEqual(["textDelta", "textDelta"]);
  });

  it("a stream that ends cleanly but without message_stop → malformed", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: startWithText("Hel") });
    expect((await failure()).kind).toBe("malformed");
  });

  it("garbage bytes instead of an event-stream message → malformed", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: startWithText("Hel"), then: { garbage: "\u0000\u0001\u00ffgarbage\r\n" } });
    expect((await failure()).kind).toBe("malformed");
  });

  it("a chunk whose bytes are not JSON → malformed", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [messageStart, '{"type":"content_block_delta",'] });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an event of the wrong shape → malformed", async () => {
    server.enqueue("bedrock", { kind: "stream", chunks: [messageStart, { type: "content_block_delta", index: "zero", delta: { type: "text_delta", text: 1 } }] });
    expect((await failure()).kind).toBe("malformed");
  });

  it("an unreachable endpoint → unavailable", async () => {
    const url = await closedServerUrl();
    const p = createBedrockProvider({ region: "us-east-1", accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", baseURL: url });
    const error = await failureOf(collectEvents(p, request));
    expect(error.kind).toBe("unavailable");
  });
});

describe("bedrock provider: cancel", () => {
  it("aborting the signal mid-stream closes the HTTP request and rethrows the abort reason", async () => {
    server.enqueue("bedrock", {
      kind: "stream",
      chunks: startWithText("first"),
      then: "stall",
    });
    const seen = await expectCancelMidStream(server, provider(), request);
    expect(seen).toEqual(["first"]);
  });
});
