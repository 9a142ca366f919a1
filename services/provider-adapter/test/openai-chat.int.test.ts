import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStream, Status, type ServiceError } from "@conduit/grpc-kit";
import { FinishReason, Message, MessageRole } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceClient, StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import { openaiError, startProviderServer, startService, type ProviderServer, type RunningService } from "@conduit/testing";

let upstream: ProviderServer;
let adapter: RunningService;
let client: InstanceType<typeof ProviderAdapterServiceClient>;

beforeAll(async () => {
  upstream = await startProviderServer();
  adapter = await startService("provider-adapter", { CONDUIT_PORT: "0", OPENAI_API_KEY: "sk-test-key", OPENAI_BASE_URL: `${upstream.url}/v1` });
  client = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await adapter?.stop();
  await upstream?.close();
});

const request = StreamCompletionRequest.fromPartial({
  model: "openai/gpt-4.1-mini",
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

describe("StreamCompletion through the OpenAI Chat adapter, over gRPC", () => {
  it("replays a recorded OpenAI stream as normalized events ending with finish", async () => {
    upstream.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const { events, error } = await collect();
    expect(error).toBeUndefined();
    const text = events.map((e) => (e.event?.$case === "textDelta" ? e.event.value.text : "")).join("");
    expect(text.length).toBeGreaterThan(100);
    expect(events.at(-1)?.event).toEqual({
      $case: "finish",
      value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "stop", model: "openai/gpt-4.1-mini" },
    });
    const sent = upstream.requests.at(-1)!;
    expect(sent.headers.authorization).toBe("Bearer sk-test-key");
    expect((sent.body as { model: string }).model).toBe("gpt-4.1-mini");
  });

  it("ends with RESOURCE_EXHAUSTED / RATE_LIMITED and the provider's retry delay on a 429", async () => {
    upstream.enqueue("openai-chat", { kind: "error", status: 429, body: openaiError("rate_limit_exceeded", "slow down"), headers: { "retry-after": "2" } });
    const { error } = await collect();
    expect(error).toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      reason: "RATE_LIMITED",
      retryDelayMs: 2000,
      metadata: { provider: "openai", http_status: "429", before_first_delta: "true" },
    });
  });

  it("closes the upstream connection when the caller cancels mid-stream", async () => {
    upstream.enqueue("openai-chat", {
      kind: "stream",
      chunks: [{ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1-mini", choices: [{ index: 0, delta: { content: "Hel" } }] }],
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
