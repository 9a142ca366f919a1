import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  PROVIDER_ROUTES,
  fixtureChunks,
  listFixtures,
  startProviderServer,
  type ProviderRoute,
  type ProviderServer,
} from "../src/index.js";

let server: ProviderServer;
beforeEach(async () => {
  server = await startProviderServer();
});
afterEach(async () => {
  await server.close();
});

const openai = () => new OpenAI({ apiKey: "test", baseURL: `${server.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: "test", baseURL: server.url, maxRetries: 0 });
const parsed = (route: ProviderRoute, file: string) =>
  fixtureChunks(route, file).map((line) => JSON.parse(line) as unknown);

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe("recorded streams replayed through the official SDKs", () => {
  it("has fixtures for every route", () => {
    for (const route of PROVIDER_ROUTES) {
      expect(listFixtures(route).length).toBeGreaterThan(0);
    }
  });

  it.each(listFixtures("openai-chat"))("openai-chat %s: the SDK yields every recorded chunk", async (file) => {
    server.enqueue("openai-chat", { kind: "fixture", file });
    const stream = await openai().chat.completions.create({
      model: "gpt-4.1-nano",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    expect(await collect(stream)).toEqual(parsed("openai-chat", file));
  });

  // Two recordings do not replay cleanly through the SDK; each has its own test below.
  const ERROR_EVENT = "openai-error.1.chunks.txt";
  const MALFORMED = "parallel-tool-call-wrapper.1.chunks.txt";
  const responsesFiles = listFixtures("openai-responses").filter((file) => file !== ERROR_EVENT && file !== MALFORMED);
  it.each(responsesFiles)("openai-responses %s: the SDK yields every recorded event", async (file) => {
    server.enqueue("openai-responses", { kind: "fixture", file });
    const stream = await openai().responses.create({ model: "gpt-5", input: "hi", stream: true });
    expect(await collect(stream)).toEqual(parsed("openai-responses", file));
  });

  it("openai-responses openai-error: the SDK yields the events before the error event, then throws it", async () => {
    const file = ERROR_EVENT;
    server.enqueue("openai-responses", { kind: "fixture", file });
    const stream = await openai().responses.create({ model: "gpt-5", input: "hi", stream: true });
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const event of stream) seen.push(event);
    })();
    await expect(reading).rejects.toThrow(/exceeded your current quota/);
    expect(seen).toEqual(parsed("openai-responses", file).slice(0, 2));
  });

  it("openai-responses parallel-tool-call-wrapper: its first line is not JSON (as published), so the SDK throws", async () => {
    // Lines 1 and 6 lack their final `}` in vercel/ai's published file too; the file is kept as
    // published, and the server sends the bytes unchanged.
    const lines = fixtureChunks("openai-responses", MALFORMED);
    expect(() => JSON.parse(lines[0] ?? "")).toThrow(SyntaxError);
    server.enqueue("openai-responses", { kind: "fixture", file: MALFORMED });
    const client = new OpenAI({ apiKey: "test", baseURL: `${server.url}/v1`, maxRetries: 0, logLevel: "off" });
    const stream = await client.responses.create({ model: "gpt-5", input: "hi", stream: true });
    await expect(collect(stream)).rejects.toThrow(SyntaxError);
  });

  it.each(listFixtures("anthropic-messages"))(
    "anthropic-messages %s: the SDK yields every recorded event but pings",
    async (file) => {
      server.enqueue("anthropic-messages", { kind: "fixture", file });
      const stream = await anthropic().messages.create({
        model: "claude-sonnet-5-5",
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      });
      const recorded = parsed("anthropic-messages", file);
      // The SDK drops `ping` events; every file has other events, so the framing is exercised.
      const expected = recorded.filter((event) => (event as { type: string }).type !== "ping");
      expect(expected.length).toBeGreaterThan(0);
      expect(await collect(stream)).toEqual(expected);
    },
  );

  it.each(listFixtures("gemini"))("gemini %s: every recorded chunk arrives as one SSE data event", async (file) => {
    server.enqueue("gemini", { kind: "fixture", file });
    const response = await fetch(`${server.url}/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "test" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const text = await response.text();
    const events = text.split("\n\n").filter((event) => event !== "");
    expect(events.every((event) => event.startsWith("data: ") && !event.includes("\n"))).toBe(true);
    expect(events.map((event) => JSON.parse(event.slice("data: ".length)))).toEqual(parsed("gemini", file));
    const request = await server.nextRequest("gemini");
    expect(request.query).toEqual({ alt: "sse" });
  });
});

describe("what the server records", () => {
  it("records the body and headers the openai SDK sent", async () => {
    server.enqueue("openai-chat", { kind: "stream", chunks: [] });
    const stream = await openai().chat.completions.create({
      model: "gpt-4.1-mini",
      messages: [{ role: "user", content: "Say hi" }],
      stream: true,
    });
    await collect(stream);
    const request = await server.nextRequest("openai-chat");
    expect(request).toMatchObject({ method: "POST", path: "/v1/chat/completions", route: "openai-chat" });
    expect(request.body).toMatchObject({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "Say hi" }] });
    expect(request.headers.authorization).toBe("Bearer test");
    expect(server.requests).toEqual([request]);
  });

  it("records the body and headers the anthropic SDK sent", async () => {
    server.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-text.chunks.txt" });
    const stream = await anthropic().messages.create({
      model: "claude-sonnet-5-5",
      max_tokens: 64,
      messages: [{ role: "user", content: "Say hi" }],
      stream: true,
    });
    await collect(stream);
    const request = await server.nextRequest("anthropic-messages");
    expect(request.path).toBe("/v1/messages");
    expect(request.body).toMatchObject({
      model: "claude-sonnet-5-5",
      max_tokens: 64,
      messages: [{ role: "user", content: "Say hi" }],
      stream: true,
    });
    // This SDK version sends the key as a bearer token, not as x-api-key.
    expect(request.headers.authorization).toBe("Bearer test");
    expect(request.headers["anthropic-version"]).toBeDefined();
  });

  it("nextRequest waits for a request that has not arrived yet, and counts per route", async () => {
    const first = server.nextRequest("openai-chat");
    const second = server.nextRequest("openai-chat");
    server.enqueue("openai-chat", { kind: "json", body: completion("one") });
    server.enqueue("openai-chat", { kind: "json", body: completion("two") });
    const client = openai();
    for (const content of ["first", "second"]) {
      await client.chat.completions.create({ model: "m", messages: [{ role: "user", content }] });
    }
    expect((await first).body).toMatchObject({ messages: [{ content: "first" }] });
    expect((await second).body).toMatchObject({ messages: [{ content: "second" }] });
    expect((await server.nextRequest("openai-chat", 1)).body).toMatchObject({ messages: [{ content: "first" }] });
  });

  it("serves the chat route without /v1 too, as OpenAI-compatible servers are reached", async () => {
    server.enqueue("openai-chat", { kind: "json", body: completion("hello") });
    const client = new OpenAI({ apiKey: "test", baseURL: server.url, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]?.message.content).toBe("hello");
    expect(server.requests[0]?.path).toBe("/chat/completions");
  });
});

function completion(content: string) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  };
}
