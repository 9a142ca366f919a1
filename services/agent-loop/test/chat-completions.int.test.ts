import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStream, Status, type ServiceError } from "@conduit/grpc-kit";
import { ScriptedErrorClass, type ChatCompletionChunk, type ChatCompletionsRequest } from "@conduit/proto/agent/v1";
import { startChain, type Chain } from "./support/chain.js";
import { call, fail, say, scripted, think, turn } from "./support/script.js";

let chain: Chain;
let httpBase: string;
beforeAll(async () => {
  chain = await startChain({ agentLoop: { CONDUIT_HTTP_PORT: "0" } });
  httpBase = `http://${chain.agentLoop.lines.find((l) => l.msg === "http serving")!.address as string}/v1`;
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

const user = (content: string) => ({ role: "user", content, contentParts: [] });

async function complete(key: string, request: Partial<ChatCompletionsRequest>) {
  const client = chain.loopClient();
  const chunks: ChatCompletionChunk[] = [];
  const full: ChatCompletionsRequest = { model: "", messages: [], stream: true, ...request };
  try {
    for await (const c of callStream(client.chatCompletions.bind(client), full, { metadata: chain.bearer(key) })) chunks.push(c);
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error: error as ServiceError };
  }
}

describe("ChatCompletions over gRPC", () => {
  it("streams a role chunk, the assistant's text only, then finish_reason stop", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(think(["secret plan"]), call("conversation_search", { query: "x" })), turn(say("Hel", "lo"))));
    const { chunks, error } = await complete(key, { model: agent.id, messages: [{ role: "system", content: "ignored", contentParts: [] }, user("hi")] });
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant" }, { content: "Hel" }, { content: "lo" }, {}]);
    expect(chunks.map((c) => c.choices[0]!.finishReason)).toEqual([undefined, undefined, undefined, "stop"]);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]).toMatchObject({ object: "chat.completion.chunk", model: agent.id });
  });

  it("sends the whole answer in one content chunk when stream is false", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("a", "b", "c"))));
    const { chunks } = await complete(key, { model: agent.id, messages: [user("hi")], stream: false });
    expect(chunks.map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant" }, { content: "abc" }, {}]);
  });

  it.each([
    ["the last message is not from the user", [{ role: "assistant", content: "hi", contentParts: [] }]],
    ["the last message has no text", [{ role: "user", content: undefined, contentParts: [{ type: "image_url", imageUrl: "https://example.com/a.png" }] }]],
    ["there are no messages", []],
  ])("refuses a request where %s, naming messages", async (_what, messages) => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("x"))));
    const { error, chunks } = await complete(key, { model: agent.id, messages });
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field: "messages" } });
  });

  it("answers NOT_FOUND for an unknown agent", async () => {
    const key = await chain.newTenant();
    const { error } = await complete(key, { model: "agent-00000000-0000-0000-0000-000000000000", messages: [user("hi")] });
    expect(error).toMatchObject({ code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND" });
  });

  it("ends with UNAVAILABLE / RUN_FAILED when the run fails", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(fail(ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT))));
    const { error, chunks } = await complete(key, { model: agent.id, messages: [user("hi")] });
    expect(chunks.map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant" }]);
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, reason: "RUN_FAILED", metadata: { error_type: "ERROR_TYPE_LLM_RATE_LIMIT", stop_reason: "STOP_REASON_LLM_API_ERROR" } });
  });
});

describe("POST /v1/chat/completions with the official openai SDK", () => {
  it("streams the agent's answer", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("Hello", " from", " Conduit"))));
    const openai = new OpenAI({ apiKey: key, baseURL: httpBase });
    const stream = await openai.chat.completions.create({ model: agent.id, messages: [{ role: "user", content: "hi" }], stream: true });
    const parts: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      parts.push(chunk.choices[0]?.delta.content ?? "");
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(parts.join("")).toBe("Hello from Conduit");
    expect(finish).toBe("stop");
  });

  it("answers in one JSON object when not streaming", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("All", " at once"))));
    const openai = new OpenAI({ apiKey: key, baseURL: httpBase });
    const completion = await openai.chat.completions.create({ model: agent.id, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    expect(completion.choices[0]!.message).toMatchObject({ role: "assistant", content: "All at once" });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  it("refuses a bad key with 401 and a bad request with 400", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("x"))));
    const bad = new OpenAI({ apiKey: "wrong-key", baseURL: httpBase, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: agent.id, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({ status: 401 });
    const good = new OpenAI({ apiKey: key, baseURL: httpBase, maxRetries: 0 });
    await expect(good.chat.completions.create({ model: agent.id, messages: [{ role: "assistant", content: "hi" }] })).rejects.toMatchObject({ status: 400 });
  });
});
