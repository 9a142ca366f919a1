import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { performance } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  anthropicError,
  geminiError,
  openaiError,
  startProviderServer,
  type ProviderServer,
} from "../src/index.js";

let server: ProviderServer;
beforeEach(async () => {
  server = await startProviderServer();
});
afterEach(async () => {
  await server.close();
});

// logLevel "off": the SDKs log bad chunks before throwing, which would only clutter the output.
const openai = () => new OpenAI({ apiKey: "test", baseURL: `${server.url}/v1`, maxRetries: 0, logLevel: "off" });
const anthropic = () => new Anthropic({ apiKey: "test", baseURL: server.url, maxRetries: 0, logLevel: "off" });
const chat = { model: "gpt-4.1-mini", messages: [{ role: "user" as const, content: "hi" }] };

function chunk(content: string) {
  return {
    id: "c1",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}

/** Reads a stream to its end or its error, keeping what arrived before. */
async function read<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

function post(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("error replies reach the SDKs as their typed errors", () => {
  it("openai 429 with retry-after is a RateLimitError carrying the header", async () => {
    server.enqueue("openai-chat", {
      kind: "error",
      status: 429,
      body: openaiError("rate_limit_exceeded", "Rate limit reached", "rate_limit_exceeded"),
      headers: { "retry-after": "2" },
    });
    const error = await openai().chat.completions.create({ ...chat, stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get("retry-after")).toBe("2");
    expect(rateLimit.message).toContain("Rate limit reached");
  });

  it("openai 400 context length is a BadRequestError with its code", async () => {
    const body = openaiError("invalid_request_error", "maximum context length is 128000", "context_length_exceeded");
    server.enqueue("openai-chat", { kind: "error", status: 400, body });
    const error = await openai().chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("context_length_exceeded");
  });

  it("anthropic 529 overloaded and 401 are the SDK's typed errors", async () => {
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 529,
      body: anthropicError("overloaded_error", "Overloaded"),
    });
    server.enqueue("anthropic-messages", {
      kind: "error",
      status: 401,
      body: anthropicError("authentication_error", "invalid x-api-key"),
    });
    const params = { model: "claude-sonnet-5-5", max_tokens: 10, messages: [{ role: "user" as const, content: "hi" }] };
    const overloaded = await anthropic().messages.create(params).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as Error).message).toContain("overloaded_error");
    const unauthorized = await anthropic().messages.create(params).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("a gemini error is sent with its status and Google-shaped body", async () => {
    server.enqueue("gemini", { kind: "error", status: 429, body: geminiError("RESOURCE_EXHAUSTED", "Quota", 429) });
    const response = await post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { code: 429, message: "Quota", status: "RESOURCE_EXHAUSTED" } });
  });

  it("a request with nothing queued gets a 500 that says so", async () => {
    const error = await openai().chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain("nothing queued for openai-chat");
  });

  it("an unknown path gets a 404 and is still recorded", async () => {
    const response = await post("/v2/unknown");
    expect(response.status).toBe(404);
    expect(server.requests).toMatchObject([{ route: undefined, path: "/v2/unknown" }]);
  });
});

describe("how a stream ends", () => {
  it("ends an openai-chat stream with [DONE] and Anthropic's with its last event", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a")] });
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [{ type: "message_stop" }] });
    expect(await (await post("/v1/chat/completions")).text()).toBe(
      `data: ${JSON.stringify(chunk("a"))}\n\ndata: [DONE]\n\n`,
    );
    expect(await (await post("/v1/messages")).text()).toBe(`event: message_stop\ndata: {"type":"message_stop"}\n\n`);
  });

  it("frames raw strings as-is, naming even a malformed one by its leading type, one data line per line", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: ['{"type":"content_block_delta","index":0', "a\nb"] });
    expect(await (await post("/v1/messages")).text()).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0\n\ndata: a\ndata: b\n\n',
    );
  });

  it("truncate: the SDK gets the chunks, then a connection error instead of the end", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a"), chunk("b")], then: "truncate" });
    const { items, error } = await read(await openai().chat.completions.create({ ...chat, stream: true }));
    expect(items.map((c) => c.choices[0]?.delta.content)).toEqual(["a", "b"]);
    expect(error).toBeInstanceOf(Error);
    expect(await server.closed(server.requests[0]!)).toBeGreaterThan(0);
    expect(server.requests[0]?.closedBy).toBe("server");
  });

  it("garbage: the raw bytes follow the chunks, and the SDK fails to parse them", async () => {
    const garbage = 'data: {"choices": [\n\n';
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a")], then: { garbage } });
    const { items, error } = await read(await openai().chat.completions.create({ ...chat, stream: true }));
    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(SyntaxError);

    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a")], then: { garbage } });
    expect(await (await post("/v1/chat/completions")).text()).toBe(`data: ${JSON.stringify(chunk("a"))}\n\n${garbage}`);
  });

  it("stall: a cancel after the first chunks closes the connection, and the server sees the client close it", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a"), chunk("b")], then: "stall" });
    const cancel = new AbortController();
    const stream = await openai().chat.completions.create({ ...chat, stream: true }, { signal: cancel.signal });
    const request = await server.nextRequest("openai-chat");
    let cancelledAt = 0;
    const seen: string[] = [];
    for await (const c of stream) {
      seen.push(c.choices[0]?.delta.content ?? "");
      if (seen.length === 2) {
        cancelledAt = performance.now();
        cancel.abort();
      }
    }
    const closedAt = await server.closed(request);
    expect(seen).toEqual(["a", "b"]);
    expect(request.closedBy).toBe("client");
    // Timing bounds belong to benchmarks; here: the close came after the cancel, from the client.
    expect(closedAt - cancelledAt).toBeGreaterThanOrEqual(0);
  });

  it("stall before the first chunk: the SDK's request still resolves on the headers, and a cancel closes it", async () => {
    server.enqueue("anthropic-messages", { kind: "stream", chunks: [], then: "stall" });
    const cancel = new AbortController();
    const stream = await anthropic().messages.create(
      { model: "claude-sonnet-5-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }], stream: true },
      { signal: cancel.signal },
    );
    const request = await server.nextRequest("anthropic-messages");
    expect(request.closedAt).toBeUndefined();
    const reading = read(stream);
    cancel.abort();
    expect(await reading).toEqual({ items: [], error: undefined });
    await server.closed(request);
    expect(request.closedBy).toBe("client");
  });

  it("stall: close() ends the stalled stream, and the SDK sees its end", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a")], then: "stall" });
    const stream = await openai().chat.completions.create({ ...chat, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe("a");
    const rest = iterator.next();
    await server.close();
    expect((await rest).done).toBe(true);
    expect(server.requests[0]?.closedBy).toBe("server");
  });

  it("delayMs spaces the chunks out", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [chunk("a"), chunk("b"), chunk("c")], delayMs: 30 });
    const arrivals: number[] = [];
    for await (const _ of await openai().chat.completions.create({ ...chat, stream: true })) {
      arrivals.push(performance.now());
    }
    expect(arrivals).toHaveLength(3);
    // Measured from the request's arrival: a client that reads its first chunk late would
    // shrink the gaps between arrivals, never this span (less 1 ms: timers round to whole ms).
    const { receivedAt } = await server.nextRequest("openai-chat");
    expect(arrivals[2]! - receivedAt).toBeGreaterThanOrEqual(2 * 30 - 1);
  });
});
