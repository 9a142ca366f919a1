import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { MessageRole, StopReason, ToolExecutor, ToolReturnStatus, type Tool } from "@conduit/proto/agent/v1";
import { useChain } from "./support/chain.js";
import { assistantText, kinds, payloads } from "./support/events.js";
import { answers, approve, deny, toolResult, userText } from "./support/input.js";
import { call, say, scripted, turn } from "./support/script.js";

const chain = useChain();

const schema = { type: "object", properties: { city: { type: "string" } } };
const clientTool = (name: string): Tool => ({ name, description: "runs on the caller", jsonSchema: schema, requiresApproval: false, executor: ToolExecutor.TOOL_EXECUTOR_CLIENT });
const stopReasonOf = (events: Parameters<typeof payloads>[0]) => payloads(events, "stop")[0]?.stopReason;
const textOf = (ret: { parts: Array<{ part?: { $case: string; value: unknown } }> }) =>
  ret.parts.map((p) => (p.part?.$case === "text" ? (p.part.value as { text: string }).text : "")).join("");

/** An agent whose memory_replace needs a human, scripted to call it and then answer. */
async function agentNeedingApproval(key: string) {
  return chain.createAgent(key, {
    memoryBlocks: [{ label: "human", value: "Name: Ada", limit: 100, description: "", readOnly: false } as never],
    tools: [{ name: "memory_replace", description: "", requiresApproval: true, executor: 0 } as never],
    ...scripted(turn(call("memory_replace", { label: "human", old_text: "Ada", new_text: "Grace" }, "call_edit")), turn(say("Done."))),
  });
}

describe("client tools", () => {
  it("stops for the caller's tool, takes its return, and goes on with the next step", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(call("weather", { city: "Paris" }, "call_w")), turn(say("It is sunny."))));
    const first = await chain.send(key, { agentId: agent.id, messages: [userText("weather?")], streamTokens: true, clientTools: [clientTool("weather")] });
    expect(stopReasonOf(first.events)).toBe(StopReason.STOP_REASON_REQUIRES_APPROVAL);
    const request = payloads(first.events, "approvalRequest")[0]!;
    expect(request.toolCalls).toEqual([expect.objectContaining({ id: "call_w", name: "weather", argumentsJson: '{"city":"Paris"}' })]);
    expect(kinds(first.events).slice(-3)).toEqual(["approvalRequest", "stop", "usage"]);

    const second = await chain.send(key, { agentId: agent.id, messages: [answers(toolResult("call_w", "sunny, 24°C"))], streamTokens: true });
    expect(second.error).toBeUndefined();
    expect(payloads(second.events, "toolReturn")[0]).toMatchObject({ toolCallId: "call_w", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS });
    expect(assistantText(second.events)).toBe("It is sunny.");
    expect(stopReasonOf(second.events)).toBe(StopReason.STOP_REASON_END_TURN);
    const stored = await chain.runMessages(key, agent.id, second.events[0]!.runId);
    expect(stored.map((m) => m.role)).toEqual([MessageRole.MESSAGE_ROLE_APPROVAL, MessageRole.MESSAGE_ROLE_TOOL, MessageRole.MESSAGE_ROLE_ASSISTANT]);
    expect(textOf(stored[1]!.toolReturns[0]!)).toBe("sunny, 24°C");
  });
});

describe("approvals", () => {
  it("runs an approved call and continues", async () => {
    const key = await chain.newTenant();
    const agent = await agentNeedingApproval(key);
    const first = await chain.send(key, { agentId: agent.id, messages: [userText("I am Grace")], streamTokens: true });
    expect(stopReasonOf(first.events)).toBe(StopReason.STOP_REASON_REQUIRES_APPROVAL);
    expect((await chain.getAgent(key, agent.id)).memoryBlocks[0]!.value).toBe("Name: Ada");

    const second = await chain.send(key, { agentId: agent.id, messages: [answers(approve("call_edit"))], streamTokens: true });
    expect(payloads(second.events, "toolReturn")[0]!.status).toBe(ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS);
    expect((await chain.getAgent(key, agent.id)).memoryBlocks[0]!.value).toBe("Name: Grace");
    expect(stopReasonOf(second.events)).toBe(StopReason.STOP_REASON_END_TURN);
  });

  it("answers a re-sent approval whose run ended with that run, not a refusal, and runs nothing twice", async () => {
    const key = await chain.newTenant();
    const agent = await agentNeedingApproval(key);
    await chain.send(key, { agentId: agent.id, messages: [userText("I am Grace")], streamTokens: true });
    const answer = { ...answers(approve("call_edit")), otid: "answer-1" };
    const second = await chain.send(key, { agentId: agent.id, messages: [answer], streamTokens: true });
    expect(stopReasonOf(second.events)).toBe(StopReason.STOP_REASON_END_TURN);
    const runs = await chain.runIds(key, agent.id);

    const again = await chain.send(key, { agentId: agent.id, messages: [answer], streamTokens: true });
    expect(again.error).toBeUndefined();
    expect(again.events[0]!.runId).toBe(second.events[0]!.runId);
    expect(stopReasonOf(again.events)).toBe(StopReason.STOP_REASON_END_TURN);
    expect(await chain.runIds(key, agent.id)).toEqual(runs);
    expect((await chain.getAgent(key, agent.id)).memoryBlocks[0]!.value).toBe("Name: Grace");
  });

  it("turns a denial into the error return the model sees, with the user's reason", async () => {
    const key = await chain.newTenant();
    const agent = await agentNeedingApproval(key);
    await chain.send(key, { agentId: agent.id, messages: [userText("I am Grace")], streamTokens: true });
    const second = await chain.send(key, { agentId: agent.id, messages: [answers(deny("call_edit", "not now"))], streamTokens: true });
    const ret = payloads(second.events, "toolReturn")[0]!;
    expect(ret.status).toBe(ToolReturnStatus.TOOL_RETURN_STATUS_ERROR);
    expect(textOf(ret)).toBe("Error: request to call tool denied. User reason: not now");
    expect((await chain.getAgent(key, agent.id)).memoryBlocks[0]!.value).toBe("Name: Ada");
    expect(stopReasonOf(second.events)).toBe(StopReason.STOP_REASON_END_TURN);
  });

  it("refuses a plain message while an approval is pending, naming the request, and changes nothing", async () => {
    const key = await chain.newTenant();
    const agent = await agentNeedingApproval(key);
    const first = await chain.send(key, { agentId: agent.id, messages: [userText("I am Grace")], streamTokens: true });
    const requestId = payloads(first.events, "approvalRequest")[0]!.requestId;
    const refused = await chain.send(key, { agentId: agent.id, messages: [userText("hello?")], streamTokens: true });
    expect(refused.events).toEqual([]);
    expect(refused.error).toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "PENDING_APPROVAL",
      metadata: { request_id: requestId, run_id: first.events[0]!.runId },
    });
    expect(await chain.runIds(key, agent.id)).toEqual([first.events[0]!.runId]);
    // Still pending, and the lock is free: the approval is accepted afterwards.
    const second = await chain.send(key, { agentId: agent.id, messages: [answers(approve("call_edit"))], streamTokens: true });
    expect(stopReasonOf(second.events)).toBe(StopReason.STOP_REASON_END_TURN);
    expect(await chain.runIds(key, agent.id)).toEqual([first.events[0]!.runId, second.events[0]!.runId]);
  });

  it("refuses approvals naming a call that is not pending", async () => {
    const key = await chain.newTenant();
    const agent = await agentNeedingApproval(key);
    await chain.send(key, { agentId: agent.id, messages: [userText("I am Grace")], streamTokens: true });
    const refused = await chain.send(key, { agentId: agent.id, messages: [answers(approve("call_nope"))], streamTokens: true });
    expect(refused.error).toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "UNKNOWN_TOOL_CALL", metadata: { tool_call_id: "call_nope" } });
    expect(await chain.runIds(key, agent.id)).toHaveLength(1);
    const nothingPending = await chain.createAgent(key, scripted(turn(say("hi"))));
    const alsoRefused = await chain.send(key, { agentId: nothingPending.id, messages: [answers(approve("call_edit"))], streamTokens: true });
    expect(alsoRefused.error).toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "UNKNOWN_TOOL_CALL" });
    expect(await chain.runIds(key, nothingPending.id)).toEqual([]);
  });
});
