import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { ErrorType, FinishReason, MessageRole, RunStatus, ScriptedErrorClass, StopReason } from "@conduit/proto/agent/v1";
import { startService } from "@conduit/testing";
import { useChain } from "./support/chain.js";
import { kinds, payloads } from "./support/events.js";
import { userText } from "./support/input.js";
import { fail, say, scripted, turn } from "./support/script.js";

const chain = useChain();

const CLASSES: Array<[string, ScriptedErrorClass, StopReason, ErrorType]> = [
  ["rate limit", ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT, StopReason.STOP_REASON_LLM_API_ERROR, ErrorType.ERROR_TYPE_LLM_RATE_LIMIT],
  ["timeout", ScriptedErrorClass.SCRIPTED_ERROR_CLASS_TIMEOUT, StopReason.STOP_REASON_LLM_API_ERROR, ErrorType.ERROR_TYPE_LLM_TIMEOUT],
  ["provider auth", ScriptedErrorClass.SCRIPTED_ERROR_CLASS_AUTHENTICATION, StopReason.STOP_REASON_LLM_API_ERROR, ErrorType.ERROR_TYPE_LLM_AUTHENTICATION],
  ["bad request", ScriptedErrorClass.SCRIPTED_ERROR_CLASS_BAD_REQUEST, StopReason.STOP_REASON_LLM_API_ERROR, ErrorType.ERROR_TYPE_LLM_BAD_REQUEST],
  [
    "context window",
    ScriptedErrorClass.SCRIPTED_ERROR_CLASS_CONTEXT_WINDOW_EXCEEDED,
    StopReason.STOP_REASON_CONTEXT_WINDOW_OVERFLOW,
    ErrorType.ERROR_TYPE_CONTEXT_WINDOW_OVERFLOW,
  ],
  ["outage", ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNAVAILABLE, StopReason.STOP_REASON_LLM_API_ERROR, ErrorType.ERROR_TYPE_LLM_ERROR],
  [
    "malformed stream",
    ScriptedErrorClass.SCRIPTED_ERROR_CLASS_MALFORMED_RESPONSE,
    StopReason.STOP_REASON_INVALID_LLM_RESPONSE,
    ErrorType.ERROR_TYPE_INVALID_LLM_RESPONSE,
  ],
];

describe("provider errors end the run with a stop reason and an error event", () => {
  it.each(CLASSES)("%s", async (_name, errorClass, stopReason, errorType) => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(fail(errorClass, "scripted trouble"))));
    const { events, error } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(error).toBeUndefined();
    expect(kinds(events)).toEqual(["runStarted", "error", "stop", "usage"]);
    expect(payloads(events, "error")[0]).toMatchObject({ errorType });
    expect(payloads(events, "stop")[0]!.stopReason).toBe(stopReason);
    const run = await chain.getRun(key, events[0]!.runId);
    expect(run).toMatchObject({ status: RunStatus.RUN_STATUS_FAILED, stopReason, error: { errorType } });
    // The input is kept; the agent takes the next message.
    expect((await chain.runMessages(key, agent.id, run.id)).map((m) => m.role)).toEqual([MessageRole.MESSAGE_ROLE_USER]);
  });

  it("keeps what streamed before a mid-stream failure, marked as failed", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("Half an ans"), fail(ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNAVAILABLE))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(kinds(events)).toEqual(["runStarted", "assistant", "error", "stop", "usage"]);
    const stored = await chain.runMessages(key, agent.id, events[0]!.runId);
    expect(stored[1]).toMatchObject({ role: MessageRole.MESSAGE_ROLE_ASSISTANT, isErr: true });
    expect(stored[1]!.content).toEqual([{ part: { $case: "text", value: { text: "Half an ans" } } }]);
  });

  it("fails with max_tokens_exceeded when the model runs out of output tokens", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted({ ...turn(say("cut sh")), finishReason: FinishReason.FINISH_REASON_LENGTH }));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_MAX_TOKENS_EXCEEDED);
    expect(payloads(events, "error")[0]!.errorType).toBe(ErrorType.ERROR_TYPE_MAX_TOKENS_EXCEEDED);
  });

  it("fails the run with an error event, never a hang, when provider-adapter cannot be reached", async () => {
    const lonely = await startService("agent-loop", {
      CONDUIT_PORT: "0",
      CONDUIT_INTERNAL_KEY: chain.internalKey,
      CONDUIT_MESSAGE_STORE_ADDRESS: chain.store.address,
      CONDUIT_PROVIDER_ADAPTER_ADDRESS: "127.0.0.1:1",
    });
    try {
      const key = await chain.newTenant();
      const agent = await chain.createAgent(key, scripted(turn(say("never"))));
      const { events, error } = await chain.sendTo(lonely.address, key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
      expect(error).toBeUndefined();
      expect(kinds(events)).toEqual(["runStarted", "error", "stop", "usage"]);
      expect(payloads(events, "error")[0]!.errorType).toBe(ErrorType.ERROR_TYPE_INTERNAL_ERROR);
      expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_ERROR);
    } finally {
      await lonely.stop();
    }
  });
});

describe("refusals before a run exists", () => {
  it("answers NOT_FOUND for an unknown agent and for another organization's agent", async () => {
    const key = await chain.newTenant();
    const other = await chain.createAgent(await chain.newTenant(), scripted(turn(say("x"))));
    for (const agentId of ["agent-00000000-0000-0000-0000-000000000000", other.id]) {
      const { error } = await chain.send(key, { agentId, messages: [userText("hi")] });
      expect(error).toMatchObject({ code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND", metadata: { agent_id: agentId } });
    }
  });

  it.each([
    ["no messages", { messages: [] }, "messages"],
    ["empty user content", { messages: [{ ...userText(""), content: [] }] }, "messages[0].content"],
    ["a tool role", { messages: [{ ...userText("x"), role: MessageRole.MESSAGE_ROLE_TOOL }] }, "messages[0].role"],
    ["zero max_steps", { maxSteps: 0 }, "max_steps"],
    ["a tiny ping interval", { pingIntervalMs: 5 }, "ping_interval_ms"],
    ["an unnamed client tool", { clientTools: [{ name: "bad name!" }] }, "client_tools[0].name"],
  ])("names the field for %s", async (_what, change, field) => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("x"))));
    const { error, events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], ...(change as object) });
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });
  });

  it("refuses a client tool named like one of the agent's, and leaves no run behind", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(say("x"))));
    const clash = { name: "memory_insert", description: "", jsonSchema: undefined, requiresApproval: false, executor: 0 };
    const { error, events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], clientTools: [clash] });
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "client_tools[0].name" } });
    expect(await chain.runIds(key, agent.id)).toEqual([]);
    // Its run took the conversation's lock for a moment: the lock is free again.
    const next = await chain.send(key, { agentId: agent.id, messages: [userText("hi")] });
    expect(kinds(next.events).slice(-2)).toEqual(["stop", "usage"]);
    expect(await chain.runIds(key, agent.id)).toEqual([next.events[0]!.runId]);
  });

  it("answers UNAUTHENTICATED without a valid API key", async () => {
    const { error } = await chain.send("not-a-key", { agentId: "agent-x", messages: [userText("hi")] });
    expect(error).toMatchObject({ code: Status.UNAUTHENTICATED, reason: "INVALID_API_KEY" });
  });
});
