import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import {
  anthropicError,
  bedrockError,
  bedrockException,
  geminiError,
  openaiError,
  type ProviderReply,
  type ProviderRoute,
  type StreamEnding,
} from "@conduit/testing";
import { useAdapter } from "./support/adapter-service.js";
import { providerEnv } from "./support/provider-env.js";
import { userRequest } from "./support/requests.js";

// How each provider family's failures end a StreamCompletion over gRPC, against the real
// service: status, ErrorInfo reason and metadata, and how many calls the provider got.

const MAX_ATTEMPTS = 3;

const { upstream, collect } = useAdapter(({ url }) => ({
  ...providerEnv.openai(url),
  ...providerEnv.anthropic(url),
  ...providerEnv.gemini(url),
  ...providerEnv.bedrock(url),
  // Retries as in production, but quick: the provider's 20 ms retry-after is accepted.
  CONDUIT_RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  CONDUIT_RETRY_BASE_MS: "10",
  CONDUIT_RETRY_MAX_DELAY_MS: "1000",
  CONDUIT_STALL_TIMEOUT_MS: "500",
}));

/** One provider family: where it is served, and its own wire shape of each failure. */
interface Family {
  readonly name: string;
  readonly route: ProviderRoute;
  readonly model: string;
  /** The `provider` of the ErrorInfo metadata. */
  readonly provider: string;
  /** A 429 whose retry delay (20 ms) the retry policy accepts. */
  readonly rateLimited: ProviderReply;
  /** The provider refusing the credentials. */
  readonly auth: { readonly status: number; readonly reply: ProviderReply };
  /** A 400 saying the prompt does not fit, in the family's own wording. */
  readonly contextWindow: ProviderReply;
  readonly serverError: ProviderReply;
  /** Chunks of a 200 stream up to and including one text delta, "Hel". */
  readonly firstDelta: readonly unknown[];
  /** An overload or server error reported inside the 200 stream. */
  readonly inStreamError: readonly unknown[];
}

const GARBAGE = "\u0000\u0001\u00ffgarbage\r\n";

const chatChunk = (delta: object) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4.1-mini",
  choices: [{ index: 0, delta, finish_reason: null }],
});
const anthropicStart = [
  { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
];

const FAMILIES: Family[] = [
  {
    name: "openai chat",
    route: "openai-chat",
    model: "openai/gpt-4.1-mini",
    provider: "openai",
    rateLimited: {
      kind: "error",
      status: 429,
      body: openaiError("requests", "Rate limit reached for gpt-4.1-mini on requests per min (RPM).", "rate_limit_exceeded"),
      headers: { "retry-after-ms": "20" },
    },
    auth: { status: 401, reply: { kind: "error", status: 401, body: openaiError("invalid_request_error", "Incorrect API key provided.", "invalid_api_key") } },
    contextWindow: {
      kind: "error",
      status: 400,
      body: openaiError(
        "invalid_request_error",
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
        "context_length_exceeded",
      ),
    },
    serverError: { kind: "error", status: 500, body: openaiError("server_error", "The server had an error while processing your request.") },
    firstDelta: [chatChunk({ role: "assistant", content: "Hel" })],
    inStreamError: [{ error: { message: "Overloaded", type: "server_error", param: null, code: null } }],
  },
  {
    name: "openai responses",
    route: "openai-responses",
    model: "openai-responses/gpt-5",
    provider: "openai-responses",
    rateLimited: {
      kind: "error",
      status: 429,
      body: openaiError("requests", "Rate limit reached for gpt-5 on tokens per min (TPM).", "rate_limit_exceeded"),
      headers: { "retry-after-ms": "20" },
    },
    auth: { status: 401, reply: { kind: "error", status: 401, body: openaiError("invalid_request_error", "Incorrect API key provided.", "invalid_api_key") } },
    contextWindow: {
      kind: "error",
      status: 400,
      body: openaiError("invalid_request_error", "Your input exceeds the context window of this model. Please adjust your input and try again.", "context_length_exceeded"),
    },
    serverError: { kind: "error", status: 500, body: openaiError("server_error", "The server had an error while processing your request.") },
    firstDelta: [{ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "Hel", sequence_number: 1 }],
    inStreamError: [
      { type: "error", code: "server_error", message: "The server had an error while processing your request.", param: null, sequence_number: 2 },
      { type: "response.failed", sequence_number: 3, response: { id: "resp_1", status: "failed", error: { code: "server_error", message: "The server had an error" } } },
    ],
  },
  {
    name: "anthropic",
    route: "anthropic-messages",
    model: "anthropic/claude-sonnet-4-5",
    provider: "anthropic",
    rateLimited: {
      kind: "error",
      status: 429,
      body: anthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
      headers: { "retry-after-ms": "20" },
    },
    auth: { status: 401, reply: { kind: "error", status: 401, body: anthropicError("authentication_error", "invalid x-api-key") } },
    contextWindow: { kind: "error", status: 400, body: anthropicError("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum") },
    serverError: { kind: "error", status: 500, body: anthropicError("api_error", "Internal server error") },
    firstDelta: anthropicStart,
    inStreamError: [anthropicError("overloaded_error", "Overloaded")],
  },
  {
    name: "gemini",
    route: "gemini",
    model: "google/gemini-2.5-pro",
    provider: "google",
    rateLimited: {
      kind: "error",
      status: 429,
      // Google gives its retry delay in the body's RetryInfo.
      body: {
        error: {
          ...geminiError("RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", 429).error,
          details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "0.020s" }],
        },
      },
    },
    auth: { status: 401, reply: { kind: "error", status: 401, body: geminiError("UNAUTHENTICATED", "Request had invalid authentication credentials.", 401) } },
    contextWindow: {
      kind: "error",
      status: 400,
      body: geminiError("INVALID_ARGUMENT", "The input token count (1196265) exceeds the maximum number of tokens allowed (1048575).", 400),
    },
    serverError: { kind: "error", status: 500, body: geminiError("INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", 500) },
    firstDelta: [{ candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] }],
    inStreamError: [geminiError("UNAVAILABLE", "The model is overloaded. Please try again later.", 503)],
  },
  {
    name: "bedrock",
    route: "bedrock",
    model: "bedrock/anthropic.claude-sonnet-4-20250514-v1:0",
    provider: "bedrock",
    rateLimited: bedrockError(429, "ThrottlingException", "Too many requests, please wait before trying again.", { "retry-after-ms": "20" }),
    // AWS answers a key it does not recognise with 403, never 401.
    auth: { status: 403, reply: bedrockError(403, "UnrecognizedClientException", "The security token included in the request is invalid.") },
    contextWindow: bedrockError(400, "ValidationException", "Input is too long for requested model."),
    serverError: bedrockError(500, "InternalServerException", "Internal server error"),
    firstDelta: anthropicStart,
    inStreamError: [bedrockException("modelStreamErrorException", "The model stream failed: Overloaded.")],
  },
];

interface Case {
  readonly name: string;
  readonly replies: readonly ProviderReply[];
  readonly code: Status;
  readonly reason: string;
  /** Calls the provider must have received. */
  readonly requests: number;
  /** The text streamed before the failure: "" (nothing sent, before_first_delta true) or "Hel". */
  readonly text: "" | "Hel";
  /** ErrorInfo metadata besides provider, model and before_first_delta. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly retryDelayMs?: number;
  /** The provider's connection must have been closed by the adapter. */
  readonly closedByClient?: boolean;
}

function casesOf(f: Family): Case[] {
  const afterFirstDelta = (then: StreamEnding, chunks: readonly unknown[] = []): ProviderReply => ({
    kind: "stream",
    chunks: [...f.firstDelta, ...chunks],
    then,
  });
  return [
    {
      name: `429 with a 20 ms retry-after: ${MAX_ATTEMPTS} calls, then RESOURCE_EXHAUSTED / RATE_LIMITED`,
      replies: Array.from({ length: MAX_ATTEMPTS }, () => f.rateLimited),
      code: Status.RESOURCE_EXHAUSTED,
      reason: "RATE_LIMITED",
      requests: MAX_ATTEMPTS,
      text: "",
      metadata: { http_status: "429" },
      retryDelayMs: 20,
    },
    {
      name: `${f.auth.status} refused credentials: FAILED_PRECONDITION / PROVIDER_AUTH, one call`,
      replies: [f.auth.reply],
      code: Status.FAILED_PRECONDITION,
      reason: "PROVIDER_AUTH",
      requests: 1,
      text: "",
      metadata: { http_status: String(f.auth.status) },
    },
    {
      name: "400 prompt too long: INVALID_ARGUMENT / CONTEXT_WINDOW_EXCEEDED, one call",
      replies: [f.contextWindow],
      code: Status.INVALID_ARGUMENT,
      reason: "CONTEXT_WINDOW_EXCEEDED",
      requests: 1,
      text: "",
      metadata: { http_status: "400" },
    },
    {
      name: `500: ${MAX_ATTEMPTS} calls, then UNAVAILABLE / PROVIDER_UNAVAILABLE`,
      replies: Array.from({ length: MAX_ATTEMPTS }, () => f.serverError),
      code: Status.UNAVAILABLE,
      reason: "PROVIDER_UNAVAILABLE",
      requests: MAX_ATTEMPTS,
      text: "",
      metadata: { http_status: "500" },
    },
    {
      name: "an in-stream server error after the first delta: UNAVAILABLE / PROVIDER_UNAVAILABLE, no retry",
      replies: [afterFirstDelta("end", f.inStreamError)],
      code: Status.UNAVAILABLE,
      reason: "PROVIDER_UNAVAILABLE",
      requests: 1,
      text: "Hel",
    },
    {
      name: "a stream cut off after the first delta: UNAVAILABLE / MALFORMED_RESPONSE, no retry",
      replies: [afterFirstDelta("truncate")],
      code: Status.UNAVAILABLE,
      reason: "MALFORMED_RESPONSE",
      requests: 1,
      text: "Hel",
    },
    {
      name: "garbage bytes after the first delta: UNAVAILABLE / MALFORMED_RESPONSE, no retry",
      replies: [afterFirstDelta({ garbage: GARBAGE })],
      code: Status.UNAVAILABLE,
      reason: "MALFORMED_RESPONSE",
      requests: 1,
      text: "Hel",
    },
    {
      name: "a stall after the first delta: DEADLINE_EXCEEDED / STREAM_STALLED, the provider connection closed",
      replies: [afterFirstDelta("stall")],
      code: Status.DEADLINE_EXCEEDED,
      reason: "STREAM_STALLED",
      requests: 1,
      text: "Hel",
      closedByClient: true,
    },
  ];
}

const requestsTo = (route: ProviderRoute) => upstream.requests.filter((r) => r.route === route);

describe.each(FAMILIES.map((f) => [f.name, f] as const))("%s failures over gRPC", (_family, family) => {
  it.each(casesOf(family).map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const before = requestsTo(family.route).length;
    for (const reply of c.replies) upstream.enqueue(family.route, reply);

    const { events, error } = await collect(userRequest(family.model, "hi"));

    expect(error).toMatchObject({
      code: c.code,
      reason: c.reason,
      metadata: { provider: family.provider, model: family.model, before_first_delta: String(c.text === ""), ...c.metadata },
    });
    if (c.retryDelayMs !== undefined) expect(error?.retryDelayMs).toBe(c.retryDelayMs);
    // What was streamed before the failure (however the deltas were folded).
    if (c.text === "") expect(events).toEqual([]);
    expect(events.every((e) => e.event?.$case === "textDelta")).toBe(true);
    expect(events.map((e) => (e.event?.$case === "textDelta" ? e.event.value.text : "")).join("")).toBe(c.text);
    const sent = requestsTo(family.route);
    expect(sent.length - before).toBe(c.requests);
    if (c.closedByClient) {
      const last = sent.at(-1)!;
      await upstream.closed(last);
      expect(last.closedBy).toBe("client");
    }
  });
});
