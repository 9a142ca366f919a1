import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callUnary, Status } from "@conduit/grpc-kit";
import { FinishReason, Message, MessageRole } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { openaiError } from "@conduit/testing";
import { useAdapter } from "./support/adapter-service.js";
import { providerEnv } from "./support/provider-env.js";
import { textAndImage, userRequest } from "./support/requests.js";

/** Serves one PNG at /cat.png, for image URLs in messages. */
let images: Server;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(24, 1)]);

beforeAll(async () => {
  images = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(PNG));
  images.listen(0, "127.0.0.1");
  await once(images, "listening");
});
afterAll(() => {
  images?.close();
});

const { upstream, client, collect } = useAdapter(({ url }) => ({
  ...providerEnv.openai(url),
  // Quick retries; a provider asking to wait longer than a second is not retried.
  CONDUIT_RETRY_BASE_MS: "10",
  CONDUIT_RETRY_MAX_DELAY_MS: "1000",
  CONDUIT_STALL_TIMEOUT_MS: "1000",
  // The image server above is on loopback, which image fetches refuse unless allowed.
  CONDUIT_IMAGE_FETCH_ALLOW: "127.0.0.1",
  CONDUIT_MODELS: "openai/gpt-4.1,openai/gpt-4.1-mini",
  CONDUIT_DEFAULT_MODEL: "openai/gpt-4.1-mini",
}));

const request = userRequest("openai/gpt-4.1-mini", "hi");

describe("the deployment's models", () => {
  it("lists the configured models with the default marked, and sends requests without a model to the default", async () => {
    const { models } = await callUnary(client.listModels.bind(client), {}, { metadata: new Metadata() });
    expect(models.map((m) => [m.handle, m.isDefault])).toEqual([
      ["conduit/scripted", false],
      ["openai/gpt-4.1", false],
      ["openai/gpt-4.1-mini", true],
    ]);
    upstream.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const { events, error } = await collect(StreamCompletionRequest.fromPartial({ ...request, model: "" }));
    expect(error).toBeUndefined();
    expect((upstream.requests.at(-1)!.body as { model: string }).model).toBe("gpt-4.1-mini");
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { model: "openai/gpt-4.1-mini" } });
  });
});

describe("StreamCompletion through the OpenAI Chat adapter, over gRPC", () => {
  it("replays a recorded OpenAI stream as normalized events ending with finish", async () => {
    upstream.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const { events, error } = await collect(request);
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

  it("fetches an image URL and sends the provider the image inline", async () => {
    upstream.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const url = `http://127.0.0.1:${(images.address() as AddressInfo).port}/cat.png`;
    const withImage = StreamCompletionRequest.fromPartial({
      ...request,
      messages: [
        Message.fromPartial({
          role: MessageRole.MESSAGE_ROLE_USER,
          content: textAndImage("what is this?", url),
        }),
      ],
    });
    const { error } = await collect(withImage);
    expect(error).toBeUndefined();
    const body = upstream.requests.at(-1)!.body as { messages: Array<{ content: unknown }> };
    expect(body.messages.at(-1)!.content).toEqual([
      { type: "text", text: "what is this?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG.toString("base64")}` } },
    ]);
  });

  it("ends with RESOURCE_EXHAUSTED / RATE_LIMITED and the provider's retry delay when it asks to wait too long", async () => {
    upstream.enqueue("openai-chat", { kind: "error", status: 429, body: openaiError("rate_limit_exceeded", "slow down"), headers: { "retry-after": "2" } });
    const { error } = await collect(request);
    expect(error).toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      reason: "RATE_LIMITED",
      retryDelayMs: 2000,
      metadata: { provider: "openai", http_status: "429", before_first_delta: "true" },
    });
  });

  it("closes the upstream connection within 50 ms when the caller cancels mid-stream", async () => {
    upstream.enqueue("openai-chat", {
      kind: "stream",
      chunks: [{ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1-mini", choices: [{ index: 0, delta: { content: "Hel" } }] }],
      then: "stall",
    });
    const controller = new AbortController();
    let cancelledAt = 0;
    const { events, error } = await collect(request, {
      signal: controller.signal,
      onEvent: () => {
        cancelledAt = performance.now();
        controller.abort();
      },
    });
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: Status.CANCELLED });
    const sent = upstream.requests.at(-1)!;
    // The provider server runs in this process: both instants are on one clock.
    const closedAt = await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
    expect(closedAt - cancelledAt).toBeLessThan(50);
  });

  it("cuts off a stream silent past the stall timeout with DEADLINE_EXCEEDED / STREAM_STALLED", async () => {
    upstream.enqueue("openai-chat", { kind: "stream", chunks: [chunk("Hel")], then: "stall" });
    const { events, error } = await collect(request);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: Status.DEADLINE_EXCEEDED, reason: "STREAM_STALLED", metadata: { before_first_delta: "false" } });
    const sent = upstream.requests.at(-1)!;
    await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
  });

  it("cuts off a provider that answers but sends nothing, without retrying it", async () => {
    const before = requestsSoFar();
    upstream.enqueue("openai-chat", { kind: "stream", chunks: [], then: "stall" });
    const { events, error } = await collect(request);
    expect(events).toHaveLength(0);
    expect(error).toMatchObject({ code: Status.DEADLINE_EXCEEDED, reason: "STREAM_STALLED", metadata: { before_first_delta: "true" } });
    expect(requestsSoFar() - before).toBe(1);
  });
});

const chunk = (content: string) => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4.1-mini",
  choices: [{ index: 0, delta: { content } }],
});
const requestsSoFar = () => upstream.requests.filter((r) => r.route === "openai-chat").length;

describe("retries and fallback, only before the first event", () => {
  it("retries a 429 after the provider's retry-after and then streams the answer", async () => {
    const before = requestsSoFar();
    upstream.enqueue("openai-chat", { kind: "error", status: 429, body: openaiError("rate_limit_exceeded", "slow"), headers: { "retry-after-ms": "20" } });
    upstream.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const { events, error } = await collect(request);
    expect(error).toBeUndefined();
    expect(events.at(-1)?.event?.$case).toBe("finish");
    expect(requestsSoFar() - before).toBe(2);
  });

  it("gives up after the configured attempts with the last failure", async () => {
    const before = requestsSoFar();
    for (let i = 0; i < 3; i++) upstream.enqueue("openai-chat", { kind: "error", status: 500, body: openaiError("server_error", "boom") });
    const { error } = await collect(request);
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, reason: "PROVIDER_UNAVAILABLE", metadata: { before_first_delta: "true" } });
    expect(requestsSoFar() - before).toBe(3);
  });

  it("falls back to the next model when the first fails before its first event", async () => {
    upstream.enqueue("openai-chat", { kind: "error", status: 401, body: openaiError("invalid_api_key", "bad key") });
    const withFallback = StreamCompletionRequest.fromPartial({ ...request, fallbackModels: ["conduit/scripted"] });
    const { events, error } = await collect(withFallback);
    expect(error).toBeUndefined();
    expect(events.map((e) => (e.event?.$case === "textDelta" ? e.event.value.text : "")).join("")).toBe("You said: hi");
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { model: "conduit/scripted" } });
  });

  it("never retries once an event was sent: the failure ends the stream", async () => {
    const before = requestsSoFar();
    upstream.enqueue("openai-chat", {
      kind: "stream",
      chunks: [chunk("Hel"), { error: { message: "overloaded", type: "server_error" } }],
    });
    const { events, error } = await collect(request);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, metadata: { before_first_delta: "false" } });
    expect(requestsSoFar() - before).toBe(1);
  });
});
