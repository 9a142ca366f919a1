import { describe, expect, it } from "vitest";
import { AgentType, ErrorType, MessageRole, ReasoningSource, StopReason } from "@conduit/proto/agent/v1";
import { useChain } from "./support/chain.js";
import { assistantText, kinds, payloads } from "./support/events.js";
import { userText } from "./support/input.js";
import { call, say, scripted, turn } from "./support/script.js";

const chain = useChain();

describe("memgpt agents", () => {
  it("streams inner thoughts as reasoning and send_message as assistant deltas, continuing on a heartbeat", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, {
      agentType: AgentType.AGENT_TYPE_MEMGPT,
      ...scripted(
        turn(call("conversation_search", { thinking: "Look it up first.", query: "tea", request_heartbeat: true })),
        turn(call("send_message", ['{"thinking": "Tell ', 'them.", "message": "Hel', 'lo, \\"friend\\"!"}'])),
      ),
    });
    const { events, error } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(error).toBeUndefined();
    const thoughts = payloads(events, "reasoning");
    expect(thoughts.every((r) => r.source === ReasoningSource.REASONING_SOURCE_INNER_THOUGHTS)).toBe(true);
    expect(thoughts.map((r) => r.content?.value).join("")).toBe("Look it up first.Tell them.");
    expect(assistantText(events)).toBe('Hello, "friend"!');
    expect(payloads(events, "assistant").length).toBeGreaterThan(1);
    // send_message shows as assistant text, not as a tool call; the search shows as a call.
    expect(payloads(events, "toolCall").flatMap((c) => (c.name ? [c.name] : []))).toEqual(["conversation_search"]);
    expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_END_TURN);
    expect(payloads(events, "usage")[0]!.stepCount).toBe(2);

    const stored = await chain.runMessages(key, agent.id, events[0]!.runId);
    expect(stored.map((m) => m.role)).toEqual([
      MessageRole.MESSAGE_ROLE_USER,
      MessageRole.MESSAGE_ROLE_ASSISTANT,
      MessageRole.MESSAGE_ROLE_TOOL,
      MessageRole.MESSAGE_ROLE_USER, // the heartbeat
      MessageRole.MESSAGE_ROLE_ASSISTANT,
      MessageRole.MESSAGE_ROLE_TOOL,
    ]);
    const heartbeat = stored[3]!.content[0]!.part;
    expect(heartbeat?.$case === "text" && JSON.parse(heartbeat.value.text)).toMatchObject({ type: "heartbeat" });
    expect(stored[4]!.toolCalls[0]).toMatchObject({ name: "send_message" });
    expect(stored[4]!.content).toEqual([{ part: { $case: "reasoning", value: { text: "Tell them.", isNative: false } } }]);
  });

  it("continues after a failed tool, so the model can handle the failure", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, {
      agentType: AgentType.AGENT_TYPE_MEMGPT,
      ...scripted(
        turn(call("memory_replace", { thinking: "Fix it.", label: "nope", old_text: "a", new_text: "b" })),
        turn(call("send_message", { thinking: "Explain.", message: "I could not." })),
      ),
    });
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("edit")], streamTokens: true });
    expect(assistantText(events)).toBe("I could not.");
    expect(payloads(events, "usage")[0]!.stepCount).toBe(2);
  });

  it("fails the run with no_tool_call when the model answers in plain text", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { agentType: AgentType.AGENT_TYPE_MEMGPT, ...scripted(turn(say("plain words"))) });
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(kinds(events).slice(-3)).toEqual(["error", "stop", "usage"]);
    expect(payloads(events, "error")[0]!.errorType).toBe(ErrorType.ERROR_TYPE_INVALID_LLM_RESPONSE);
    expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_NO_TOOL_CALL);
  });
});
