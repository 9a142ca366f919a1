import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { MessagePayloadType, RunStatus, StopReason } from "@conduit/proto/agent/v1";
import { startService } from "@conduit/testing";
import { useChain } from "./support/chain.js";
import { assistantText, kinds, payloads } from "./support/events.js";
import { userText } from "./support/input.js";
import { call, say, scripted, think, turn, wait } from "./support/script.js";

const chain = useChain();

const messageEvents = (events: Parameters<typeof kinds>[0]) => events.filter((e) => e.messageId !== undefined);

describe("RunEvent stream", () => {
  it("numbers events from 1 without gaps; deltas of a block share message id and otid, which changes with the kind", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(think(["a", "b"]), say("c", "d"), think(["e"]), say("f"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(events.map((e) => Number(e.seqId))).toEqual(events.map((_, i) => i + 1));
    const content = messageEvents(events);
    expect(new Set(content.map((e) => e.messageId)).size).toBe(1);
    const otids = content.map((e) => e.otid);
    expect(otids[0]).toBe(otids[1]);
    expect(otids[2]).toBe(otids[3]);
    expect(new Set(otids).size).toBe(4);
    expect(kinds(content)).toEqual(["reasoning", "reasoning", "assistant", "assistant", "reasoning", "assistant"]);
  });

  it("sends each message whole without token streaming", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(think(["Let me ", "see."]), say("Hel", "lo")), turn(say("unused"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: false });
    expect(kinds(events)).toEqual(["runStarted", "reasoning", "assistant", "stop", "usage"]);
    expect(payloads(events, "reasoning")[0]!.content).toEqual({ $case: "text", value: "Let me see." });
    expect(payloads(events, "assistant")[0]!.content).toEqual({ $case: "text", value: "Hello" });
  });

  it("sends whole tool calls with their complete arguments without token streaming", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(call("conversation_search", ['{"query"', ': "tea"}'])), turn(say("ok"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: false });
    expect(payloads(events, "toolCall")).toEqual([expect.objectContaining({ name: "conversation_search", argumentsDelta: '{"query": "tea"}' })]);
  });

  it("filters message payloads by include_return_message_types, never the run's own events", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(think(["hmm"]), call("conversation_search", { query: "x" })), turn(say("done"))));
    const { events } = await chain.send(key, {
      agentId: agent.id,
      messages: [userText("hi")],
      streamTokens: true,
      includeReturnMessageTypes: [MessagePayloadType.MESSAGE_PAYLOAD_TYPE_ASSISTANT],
    });
    expect(kinds(events).filter((k) => k !== "ping")).toEqual(["runStarted", "assistant", "stop", "usage"]);
  });

  it("pings during a silence of the model", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(wait(600), say("late"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true, pingIntervalMs: 100 });
    const k = kinds(events);
    expect(k.indexOf("ping")).toBeGreaterThan(0);
    expect(k.indexOf("ping")).toBeLessThan(k.indexOf("assistant"));
  });
});

describe("one run at a time, idempotent input", () => {
  it("refuses a second run while one is active with CONVERSATION_BUSY and the active run id", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("first"), wait(60_000)), turn(say("second"))));
    const controller = new AbortController();
    let started!: (id: string) => void;
    const runId = new Promise<string>((resolve) => (started = resolve));
    const first = chain.send(key, { agentId: agent.id, messages: [userText("one")], streamTokens: true }, { signal: controller.signal, onEvent: (e) => started(e.runId) });
    const busy = await runId.then(() => chain.send(key, { agentId: agent.id, messages: [userText("two")] }));
    expect(busy.events).toEqual([]);
    expect(busy.error).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: "CONVERSATION_BUSY", metadata: { active_run_id: await runId } });
    controller.abort();
    await first;
    await expect.poll(async () => (await chain.getRun(key, await runId)).status, { timeout: 10_000 }).toBe(RunStatus.RUN_STATUS_CANCELLED);
    const next = await chain.send(key, { agentId: agent.id, messages: [userText("two")], streamTokens: true });
    expect(assistantText(next.events)).toBe("second");
  });

  it("lets two conversations of one agent run at the same time", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { model: "conduit/scripted", modelSettings: { scripted: { turns: [turn(wait(200), say("hi"))], cycle: true }, fallbackModels: [] } as never });
    const [a, b] = await Promise.all(
      ["c1", "c2"].map((conversationId) => chain.send(key, { agentId: agent.id, conversationId, messages: [userText("hi")], streamTokens: true })),
    );
    expect([a!.error, b!.error]).toEqual([undefined, undefined]);
    expect(new Set([a!.events[0]!.runId, b!.events[0]!.runId]).size).toBe(2);
  });

  it("re-attaches a re-sent input to its active run, and returns the recorded run after it ended", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("only once"), wait(60_000)), turn(say("never played"))));
    const input = { agentId: agent.id, messages: [userText("hi", "otid-resend-1")], streamTokens: true };
    const controller = new AbortController();
    let streaming!: () => void;
    const answered = new Promise<void>((resolve) => (streaming = resolve));
    const first = chain.send(key, input, { signal: controller.signal, onEvent: (e) => e.payload?.$case === "assistant" && streaming() });
    await answered;
    // The second caller sees the run from its first event; when the starter goes away, the run
    // is cancelled and the second caller gets the ending.
    const again = chain.send(key, input, { onEvent: (e) => e.payload?.$case === "assistant" && controller.abort() });
    const [original, attached] = await Promise.all([first, again]);
    const runId = original.events[0]!.runId;
    expect(attached.events[0]!.runId).toBe(runId);
    expect(attached.events.map((e) => Number(e.seqId))).toEqual(attached.events.map((_, i) => i + 1));
    expect(assistantText(attached.events)).toBe("only once");
    expect(kinds(attached.events).slice(-2)).toEqual(["stop", "usage"]);
    expect(payloads(attached.events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_CANCELLED);

    const later = await chain.send(key, input);
    expect(kinds(later.events)).toEqual(["runStarted", "stop", "usage"]);
    expect(later.events[0]!.runId).toBe(runId);
    expect(payloads(later.events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_CANCELLED);
  });

  it("cancels a foreground run when its caller goes away, and keeps what it streamed", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("partial"), wait(60_000), say("never")), turn(say("next"))));
    const controller = new AbortController();
    const gone = await chain.send(
      key,
      { agentId: agent.id, messages: [userText("hi")], streamTokens: true },
      { signal: controller.signal, onEvent: (e) => e.payload?.$case === "assistant" && controller.abort() },
    );
    expect(gone.error).toMatchObject({ code: Status.CANCELLED });
    const runId = gone.events[0]!.runId;
    await expect.poll(async () => (await chain.getRun(key, runId)).status, { timeout: 10_000 }).toBe(RunStatus.RUN_STATUS_CANCELLED);
    const stored = await chain.runMessages(key, agent.id, runId);
    expect(stored.at(-1)!.content).toEqual([{ part: { $case: "text", value: { text: "partial" } } }]);
    const next = await chain.send(key, { agentId: agent.id, messages: [userText("again")], streamTokens: true });
    expect(assistantText(next.events)).toBe("next");
  });
});

describe("shutdown", () => {
  it("ends a streaming run with stop{cancelled} and usage when its replica gets SIGTERM", async () => {
    const replica = await startService("agent-loop", {
      CONDUIT_PORT: "0",
      CONDUIT_INTERNAL_KEY: chain.internalKey,
      CONDUIT_MESSAGE_STORE_ADDRESS: chain.store.address,
      CONDUIT_PROVIDER_ADAPTER_ADDRESS: chain.adapter.address,
    });
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("working"), wait(60_000))));
    let stopping: Promise<unknown> | undefined;
    const { events, error } = await chain.sendTo(
      replica.address,
      key,
      { agentId: agent.id, messages: [userText("hi")], streamTokens: true },
      { onEvent: (e) => void (e.payload?.$case === "assistant" && (stopping = replica.stop())) },
    );
    await stopping;
    expect(error).toBeUndefined();
    expect(kinds(events).slice(-2)).toEqual(["stop", "usage"]);
    expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_CANCELLED);
    expect((await chain.getRun(key, events[0]!.runId)).status).toBe(RunStatus.RUN_STATUS_CANCELLED);
  });
});
