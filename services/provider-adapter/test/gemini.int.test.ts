import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStream, Status, type ServiceError } from "@conduit/grpc-kit";
import { FinishReason, Message, MessageRole } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceClient, StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import { geminiError, startProviderServer, startService, type ProviderServer, type RunningService } from "@conduit/testing";

let upstream: ProviderServer;
let adapter: RunningService;
let client: InstanceType<typeof ProviderAdapterServiceClient>;

beforeAll(async () => {
  upstream = await startProviderServer();
  // One call per model: these tests check how each failure is classified, not retries.
  adapter = await startService("provider-adapter", {
    CONDUIT_PORT: "0",
    GEMINI_API_KEY: "AIza-test-key",
    GEMINI_BASE_URL: upstream.url,
    CONDUIT_RETRY_MAX_ATTEMPTS: "1",
  });
  client = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await adapter?.stop();
  await upstream?.close();
});

const request = StreamCompletionRequest.fromPartial({
  model: "google/gemini-3-pro-preview",
  messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "hi" } } }] })],
});

async function collect(signal?: AbortSignal, onEvent?: (e: CompletionEvent) => void) {
  const events: CompletionEvent[] = [];
  try {
    for await (const e of callStream(client.streamCompletion.bind(client), request, { metadata: new Metadata(), ...(signal ? { signal } : {}) })) {
      events.push(e);
      onEvent?.(e);
    }
    return { events, error: undefined };
  } catch (error) {
    return { events, error: error as ServiceError };
  }
}

describe("StreamCompletion through the Gemini adapter, over gRPC", () => {
  it("replays a recorded function call with its thought signature, then usage and a TOOL_CALLS finish", async () => {
    upstream.enqueue("gemini", { kind: "fixture", file: "google-tool-call.chunks.txt" });
    const { events, error } = await collect();
    expect(error).toBeUndefined();
    const calls = events.flatMap((e) => (e.event?.$case === "toolCallDelta" ? [e.event.value] : []));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ index: 0, name: "weather", argumentsDelta: '{"location":"San Francisco"}' });
    expect(calls[0]!.signature).toMatch(/^EqUCCqICAb4/);
    expect(events.at(-2)?.event).toMatchObject({ $case: "usage", value: { promptTokens: 29, completionTokens: 60, reasoningTokens: 45 } });
    expect(events.at(-1)?.event).toEqual({
      $case: "finish",
      value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "STOP", model: "google/gemini-3-pro-preview" },
    });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1beta/models/gemini-3-pro-preview:streamGenerateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("AIza-test-key");
  });

  it("ends with RESOURCE_EXHAUSTED / RATE_LIMITED and Google's retry delay on a 429", async () => {
    const body = geminiError("RESOURCE_EXHAUSTED", "You exceeded your current quota", 429);
    upstream.enqueue("gemini", {
      kind: "error",
      status: 429,
      body: { error: { ...body.error, details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] } },
    });
    const { error } = await collect();
    expect(error).toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      reason: "RATE_LIMITED",
      retryDelayMs: 7000,
      metadata: { provider: "google", http_status: "429", before_first_delta: "true" },
    });
  });

  it("closes the upstream connection when the caller cancels mid-stream", async () => {
    upstream.enqueue("gemini", {
      kind: "stream",
      chunks: [{ candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] }],
      then: "stall",
    });
    const controller = new AbortController();
    const { events, error } = await collect(controller.signal, () => controller.abort());
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: Status.CANCELLED });
    const sent = upstream.requests.at(-1)!;
    await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
  });
});
