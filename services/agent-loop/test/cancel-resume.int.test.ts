import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStream, callUnary } from "@conduit/grpc-kit";
import { ErrorType, RunStatus, StopReason, ToolExecutor, ToolReturnStatus, type RunEvent } from "@conduit/proto/agent/v1";
import type { RunningService } from "@conduit/testing";
import { startChain, type Chain } from "./support/chain.js";
import { assistantText, kinds, payloads } from "./support/events.js";
import { userText } from "./support/input.js";
import { stopChunk, textChunk } from "./support/openai-wire.js";
import { call, say, scripted, turn, wait } from "./support/script.js";
import { externalTool, startToolServer } from "./support/tool-server.js";

/**
 * Distributed mode: replicas A and B on NATS; embedded mode: one replica on the in-process bus,
 * which plays both parts.
 */
const MODES = [
  { mode: "distributed (two replicas, NATS)", nats: true },
  { mode: "embedded (one replica, in-process bus)", nats: false },
] as const;

describe.each(MODES)("cancel and resume, $mode", ({ nats }) => {
  let chain: Chain;
  let b: RunningService;
  beforeAll(async () => {
    chain = await startChain(nats ? {} : { agentLoop: { NATS_URL: "" } });
    b = nats ? await chain.startReplica() : chain.agentLoop;
  }, 120_000);
  afterAll(async () => {
    await chain?.stop();
  });

  const cancelThroughB = async (key: string, runId: string) => {
    const client = chain.loopClient(b.address);
    return (await callUnary(client.cancelRun.bind(client), { runId }, { metadata: chain.bearer(key) })).run!;
  };
  const streamThroughB = async (key: string, runId: string, startingAfter: number, onEvent?: (e: RunEvent) => void) => {
    const client = chain.loopClient(b.address);
    const events: RunEvent[] = [];
    const request = { runId, startingAfter: String(startingAfter), includeReturnMessageTypes: [] };
    for await (const e of callStream(client.streamRun.bind(client), request, { metadata: chain.bearer(key) })) {
      events.push(e);
      onEvent?.(e);
    }
    return events;
  };

  /** Starts a run on A and cancels it through B once `when` sees the moment; returns A's stream and B's answer. */
  async function cancelWhen(key: string, agentId: string, when: (e: RunEvent) => boolean, extra: object = {}) {
    let cancelled: Promise<Awaited<ReturnType<typeof cancelThroughB>>> | undefined;
    const sent = await chain.send(
      key,
      { agentId, messages: [userText("go")], streamTokens: true, ...extra },
      { onEvent: (e) => void (when(e) && !cancelled && (cancelled = cancelThroughB(key, e.runId))) },
    );
    return { ...sent, run: await cancelled! };
  }

  const openaiCalls = () => chain.upstream.requests.filter((r) => r.route === "openai-chat").length;
  const expectCancelledEnding = (events: RunEvent[]) => {
    expect(kinds(events).slice(-2)).toEqual(["stop", "usage"]);
    expect(payloads(events, "stop")).toEqual([{ stopReason: StopReason.STOP_REASON_CANCELLED }]);
  };

  it("cancels before the first token; the provider's connection closes; the agent takes a new message right after", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { model: "openai/gpt-4.1-mini" });
    chain.upstream.enqueue("openai-chat", { kind: "stream", chunks: [], then: "stall" });
    const arrived = chain.upstream.nextRequest("openai-chat", openaiCalls() + 1);
    let started!: (runId: string) => void;
    const runId = new Promise<string>((resolve) => (started = resolve));
    const sending = chain.send(key, { agentId: agent.id, messages: [userText("go")], streamTokens: true }, { onEvent: (e) => started(e.runId) });
    // The model call is in flight and no token came yet.
    const upstreamCall = await arrived;
    const run = await cancelThroughB(key, await runId);
    const { events, error } = await sending;
    expect(error).toBeUndefined();
    expectCancelledEnding(events);
    expect(kinds(events)).toEqual(["runStarted", "stop", "usage"]);
    expect(run).toMatchObject({ status: RunStatus.RUN_STATUS_CANCELLED, stopReason: StopReason.STOP_REASON_CANCELLED });
    await chain.upstream.closed(upstreamCall);
    expect(upstreamCall.closedBy).toBe("client");

    chain.upstream.enqueue("openai-chat", { kind: "stream", chunks: [textChunk("again"), stopChunk()] });
    const next = await chain.send(key, { agentId: agent.id, messages: [userText("again?")], streamTokens: true });
    expect(assistantText(next.events)).toBe("again");
  });

  it("cancels mid-stream and keeps what streamed", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { model: "openai/gpt-4.1-mini" });
    chain.upstream.enqueue("openai-chat", { kind: "stream", chunks: [textChunk("Half a")], then: "stall" });
    const arrived = chain.upstream.nextRequest("openai-chat", openaiCalls() + 1);
    const { events, run } = await cancelWhen(key, agent.id, (e) => e.payload?.$case === "assistant");
    expectCancelledEnding(events);
    const upstreamCall = await arrived;
    await chain.upstream.closed(upstreamCall);
    expect(upstreamCall.closedBy).toBe("client");
    expect(run.status).toBe(RunStatus.RUN_STATUS_CANCELLED);
    const stored = await chain.runMessages(key, agent.id, run.id);
    expect(stored.at(-1)!.content).toEqual([{ part: { $case: "text", value: { text: "Half a" } } }]);
  });

  it("cancels while the model is silent between tokens (a scripted wait)", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("thinking…"), wait(60_000), say("never"))));
    const { events, run } = await cancelWhen(key, agent.id, (e) => e.payload?.$case === "assistant");
    expectCancelledEnding(events);
    expect(assistantText(events)).toBe("thinking…");
    expect(run.status).toBe(RunStatus.RUN_STATUS_CANCELLED);
  });

  it("cancels during a slow tool: the tool server sees its call cancelled and the call is answered as cancelled", async () => {
    const tools = await startToolServer();
    try {
      const key = await chain.newTenant();
      const agent = await chain.createAgent(key, {
        tools: [externalTool("slow_lookup", tools.address) as never],
        ...scripted(turn(call("slow_lookup", { q: "x" }, "call_slow")), turn(say("after"))),
      });
      let started!: (runId: string) => void;
      const runId = new Promise<string>((resolve) => (started = resolve));
      const sending = chain.send(key, { agentId: agent.id, messages: [userText("go")], streamTokens: true }, { onEvent: (e) => started(e.runId) });
      await tools.slowStarted();
      const run = await cancelThroughB(key, await runId);
      const { events } = await sending;
      await tools.slowCancelled();
      expectCancelledEnding(events);
      expect(run.status).toBe(RunStatus.RUN_STATUS_CANCELLED);
      const ret = payloads(events, "toolReturn")[0]!;
      expect(ret).toMatchObject({ toolCallId: "call_slow", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR });
      expect(ret.parts[0]!.part).toMatchObject({ value: { text: "Error: the call was cancelled by the user" } });
      const next = await chain.send(key, { agentId: agent.id, messages: [userText("again")], streamTokens: true });
      expect(assistantText(next.events)).toBe("after");
    } finally {
      await tools.close();
    }
  });

  it("cancels a run waiting for approval: its calls are answered as cancelled and the agent takes new messages", async () => {
    const key = await chain.newTenant();
    const weather = { name: "weather", description: "", jsonSchema: { type: "object" }, requiresApproval: false, executor: ToolExecutor.TOOL_EXECUTOR_CLIENT };
    const agent = await chain.createAgent(key, scripted(turn(call("weather", {}, "call_w")), turn(say("fresh start"))));
    const first = await chain.send(key, { agentId: agent.id, messages: [userText("weather?")], streamTokens: true, clientTools: [weather] });
    expect(payloads(first.events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_REQUIRES_APPROVAL);
    const run = await cancelThroughB(key, first.events[0]!.runId);
    expect(run).toMatchObject({ status: RunStatus.RUN_STATUS_COMPLETED, stopReason: StopReason.STOP_REASON_REQUIRES_APPROVAL });
    const stored = await chain.runMessages(key, agent.id, run.id);
    expect(stored.at(-1)!.toolReturns).toEqual([expect.objectContaining({ toolCallId: "call_w", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR })]);
    const next = await chain.send(key, { agentId: agent.id, messages: [userText("never mind")], streamTokens: true });
    expect(next.error).toBeUndefined();
    expect(assistantText(next.events)).toBe("fresh start");
  });

  it("is idempotent, and leaves an ended run as it is", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("done"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    const runId = events[0]!.runId;
    const first = await cancelThroughB(key, runId);
    const second = await cancelThroughB(key, runId);
    expect(first).toMatchObject({ status: RunStatus.RUN_STATUS_COMPLETED, stopReason: StopReason.STOP_REASON_END_TURN });
    expect(second).toEqual(first);
  });

  it("keeps a background run going when its caller leaves, and replays it through B from any point without gap or duplicate", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("a", "b", "c"), wait(300), say("d", "e"))));
    const controller = new AbortController();
    const gone = await chain.send(
      key,
      { agentId: agent.id, messages: [userText("go")], streamTokens: true, background: true },
      { signal: controller.signal, onEvent: (e) => e.payload?.$case === "assistant" && controller.abort() },
    );
    const runId = gone.events[0]!.runId;
    // Live from the start while it still runs, then again once it ended, from 0, mid-run and the last event.
    const live = await streamThroughB(key, runId, 0);
    expect(live.map((e) => Number(e.seqId))).toEqual(live.map((_, i) => i + 1));
    expect(assistantText(live)).toBe("abcde");
    expect(kinds(live).slice(-2)).toEqual(["stop", "usage"]);
    const last = live.length;
    for (const after of [0, 3, last]) {
      const replay = await streamThroughB(key, runId, after);
      expect(replay.map((e) => Number(e.seqId))).toEqual(live.slice(after).map((e) => Number(e.seqId)));
    }
    expect((await chain.getRun(key, runId)).status).toBe(RunStatus.RUN_STATUS_COMPLETED);
  });

  it("switches from replay to live without gap or duplicate when a follower joins mid-run", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("1", "2"), wait(400), say("3", "4"))));
    const client = chain.loopClient();
    const { run } = await callUnary(client.startRun.bind(client), { agentId: agent.id, messages: [userText("go")], streamTokens: true, clientTools: [] }, { metadata: chain.bearer(key) });
    let joined: Promise<RunEvent[]> | undefined;
    const first = await streamThroughB(key, run!.id, 0, (e) => {
      if (e.payload?.$case === "assistant" && !joined) joined = streamThroughB(key, run!.id, Number(e.seqId));
    });
    const second = await joined!;
    expect([...first.slice(0, first.length - second.length), ...second].map((e) => e.seqId)).toEqual(first.map((e) => e.seqId));
    expect(assistantText(first)).toBe("1234");
  });

  it("re-attaches a re-sent background input through another replica to the run's log", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("x", "y"), wait(300), say("z"))));
    const input = { agentId: agent.id, messages: [userText("go", "otid-background-1")], streamTokens: true, background: true };
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = chain.send(key, input, { onEvent: () => started() });
    await running;
    const again = await chain.sendTo(b.address, key, input);
    const original = await first;
    expect(again.error).toBeUndefined();
    expect(again.events.map((e) => e.seqId)).toEqual(original.events.map((e) => e.seqId));
    expect(assistantText(again.events)).toBe("xyz");
  });

  it("refuses StreamRun for a foreground run that ended, with its final state", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("x"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    await expect(streamThroughB(key, events[0]!.runId, 0)).rejects.toMatchObject({
      reason: "RUN_EVENTS_UNAVAILABLE",
      metadata: { run_id: events[0]!.runId, status: "RUN_STATUS_COMPLETED", stop_reason: "STOP_REASON_END_TURN" },
    });
  });

  // A replica dying needs a second replica to notice: distributed mode only.
  if (nats) it("fails the runs of a killed replica with owner_lost, and its followers get the terminal events", async () => {
    const doomed = await chain.startReplica({ CONDUIT_RUN_LEASE_MS: "1000" });
    const sweeping = await chain.startReplica({ CONDUIT_SWEEP_INTERVAL_MS: "200" });
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("working"), wait(60_000))));
    const client = chain.loopClient(doomed.address);
    const { run } = await callUnary(client.startRun.bind(client), { agentId: agent.id, messages: [userText("go")], streamTokens: true, clientTools: [] }, { metadata: chain.bearer(key) });
    const follower = chain.loopClient(sweeping.address);
    const events: RunEvent[] = [];
    for await (const e of callStream(follower.streamRun.bind(follower), { runId: run!.id, startingAfter: "0", includeReturnMessageTypes: [] }, { metadata: chain.bearer(key) })) {
      events.push(e);
      if (e.payload?.$case === "assistant") await doomed.kill();
    }
    expect(kinds(events).slice(-3)).toEqual(["error", "stop", "usage"]);
    expect(payloads(events, "error")[0]!.errorType).toBe(ErrorType.ERROR_TYPE_OWNER_LOST);
    expect(events.map((e) => Number(e.seqId))).toEqual(events.map((_, i) => i + 1));
    expect(await chain.getRun(key, run!.id)).toMatchObject({ status: RunStatus.RUN_STATUS_FAILED, stopReason: StopReason.STOP_REASON_ERROR });
    await sweeping.stop();
  });
});
