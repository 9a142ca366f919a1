import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStream, Status, type ServiceError } from "@conduit/grpc-kit";
import { FinishReason, Message, MessageRole } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceClient, StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import { anthropicError, startProviderServer, startService, type ProviderServer, type RunningService } from "@conduit/testing";

let upstream: ProviderServer;
let adapter: RunningService;
let client: InstanceType<typeof ProviderAdapterServiceClient>;

beforeAll(async () => {
  upstream = await startProviderServer();
  // One call per model: these tests check how each failure is classified, not retries.
  adapter = await startService("provider-adapter", {
    CONDUIT_PORT: "0",
    ANTHROPIC_API_KEY: "sk-ant-test",
    ANTHROPIC_BASE_URL: upstream.url,
    CONDUIT_RETRY_MAX_ATTEMPTS: "1",
    CONDUIT_STALL_TIMEOUT_MS: "1000",
  });
  client = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await adapter?.stop();
  await upstream?.close();
});

const request = StreamCompletionRequest.fromPartial({
  model: "anthropic/claude-sonnet-5-5",
  messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "hi" } } }] })],
});

async function collect() {
  const events: CompletionEvent[] = [];
  try {
    for await (const e of callStream(client.streamCompletion.bind(client), request, { metadata: new Metadata() })) events.push(e);
    return { events, error: undefined };
  } catch (error) {
    return { events, error: error as ServiceError };
  }
}

describe("StreamCompletion through the Anthropic adapter, over gRPC", () => {
  it("replays recorded thinking with its signature, then text, usage and finish", async () => {
    upstream.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-clear-thinking.1.chunks.txt" });
    const { events, error } = await collect();
    expect(error).toBeUndefined();
    const reasoning = events.flatMap((e) => (e.event?.$case === "reasoningDelta" ? [e.event.value] : []));
    expect(reasoning.map((r) => r.text).join("").length).toBeGreaterThan(0);
    expect(reasoning.some((r) => (r.signature ?? "").length > 0)).toBe(true);
    expect(events.some((e) => e.event?.$case === "textDelta")).toBe(true);
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "end_turn" } });
  });

  it("classifies an overloaded error inside the 200 stream as UNAVAILABLE / PROVIDER_UNAVAILABLE", async () => {
    upstream.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: [
        { type: "message_start", message: { id: "m1", type: "message", role: "assistant", model: "claude-sonnet-5-5", content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } },
        { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      ],
    });
    const { error } = await collect();
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, reason: "PROVIDER_UNAVAILABLE", metadata: { provider: "anthropic" } });
    expect(error?.message).toContain("Overloaded");
  });

  it("ends with FAILED_PRECONDITION / PROVIDER_AUTH when the provider refuses the key", async () => {
    upstream.enqueue("anthropic-messages", { kind: "error", status: 401, body: anthropicError("authentication_error", "invalid x-api-key") });
    const { error } = await collect();
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: "PROVIDER_AUTH", metadata: { http_status: "401" } });
  });

  it("cuts off a stream silent past the stall timeout with DEADLINE_EXCEEDED / STREAM_STALLED", async () => {
    upstream.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: [
        { type: "message_start", message: { id: "m1", type: "message", role: "assistant", model: "claude-sonnet-5-5", content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } },
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
      ],
      then: "stall",
    });
    const { events, error } = await collect();
    expect(events.map((e) => e.event?.$case)).toEqual(["textDelta"]);
    expect(error).toMatchObject({ code: Status.DEADLINE_EXCEEDED, reason: "STREAM_STALLED", metadata: { before_first_delta: "false" } });
    const sent = upstream.requests.at(-1)!;
    await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
  });
});
