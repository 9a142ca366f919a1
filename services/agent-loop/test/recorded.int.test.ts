import { describe, expect, it } from "vitest";
import { AgentType, MessageRole, StopReason, ToolExecutor } from "@conduit/proto/agent/v1";
import { assembleStream, storedView } from "./support/assemble.js";
import { useChain } from "./support/chain.js";
import { assistantText, payloads } from "./support/events.js";
import { answers, toolResult, userText } from "./support/input.js";

const chain = useChain();

describe("recorded provider streams through the whole chain", () => {
  it("an Anthropic thinking stream: reasoning with its signature, then text, persisted as streamed", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { model: "anthropic/claude-sonnet-4-5" });
    // Paced like a provider: chunks that arrive in one read travel on as one delta.
    chain.upstream.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-clear-thinking.1.chunks.txt", delayMs: 2 });
    const { events, error } = await chain.send(key, { agentId: agent.id, messages: [userText("think about it")], streamTokens: true });
    expect(error).toBeUndefined();
    const reasoning = payloads(events, "reasoning");
    expect(reasoning.length).toBeGreaterThan(1);
    expect(reasoning.at(-1)!.signature).toBeTruthy();
    expect(assistantText(events).length).toBeGreaterThan(0);
    expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_END_TURN);

    const stored = await chain.runMessages(key, agent.id, events[0]!.runId);
    const assistant = stored.find((m) => m.role === MessageRole.MESSAGE_ROLE_ASSISTANT)!;
    expect(assistant.model).toBe("anthropic/claude-sonnet-4-5");
    expect(assistant.content[0]!.part).toMatchObject({ $case: "reasoning", value: { isNative: true, signature: reasoning.at(-1)!.signature } });
    expect(storedView(assistant, AgentType.AGENT_TYPE_REACT)).toEqual(assembleStream(events).get(assistant.id));
  });

  it("an OpenAI-compatible tool-call stream: a client tool round trip, then a recorded text answer", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { model: "openai/llama-3.3-70b-versatile" });
    const weather = { name: "weather", description: "Weather now", jsonSchema: { type: "object", properties: {} }, requiresApproval: false, executor: ToolExecutor.TOOL_EXECUTOR_CLIENT };
    chain.upstream.enqueue("openai-chat", { kind: "fixture", file: "groq-tool-call.chunks.txt" });
    const first = await chain.send(key, { agentId: agent.id, messages: [userText("weather?")], streamTokens: true, clientTools: [weather] });
    expect(payloads(first.events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_REQUIRES_APPROVAL);
    const [pending] = payloads(first.events, "approvalRequest")[0]!.toolCalls;
    expect(pending).toMatchObject({ id: "tk85n1k4m", name: "weather", argumentsJson: "{}" });

    chain.upstream.enqueue("openai-chat", { kind: "fixture", file: "openai-text.chunks.txt" });
    const before = chain.upstream.requests.length;
    const second = await chain.send(key, { agentId: agent.id, messages: [answers(toolResult("tk85n1k4m", "Sunny"))], streamTokens: true });
    expect(assistantText(second.events)).toContain("Holiday");
    const sent = chain.upstream.requests[before]!.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.slice(-2)).toEqual([
      expect.objectContaining({ role: "assistant", tool_calls: [expect.objectContaining({ id: "tk85n1k4m" })] }),
      expect.objectContaining({ role: "tool", tool_call_id: "tk85n1k4m", content: "Sunny" }),
    ]);
  });
});
