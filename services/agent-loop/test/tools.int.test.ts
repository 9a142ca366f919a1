import { describe, expect, it } from "vitest";
import { MessageRole, StopReason, ToolReturnStatus } from "@conduit/proto/agent/v1";
import { useChain } from "./support/chain.js";
import { assistantText, ending, kinds, payloads } from "./support/events.js";
import { userText } from "./support/input.js";
import { stopChunk, textChunk, toolCallChunks } from "./support/openai-wire.js";
import { call, say, scripted, turn } from "./support/script.js";
import { externalTool, startToolServer } from "./support/tool-server.js";

const chain = useChain();

const human = { label: "human", value: "Name: Ada", limit: 200, description: "facts about the user", readOnly: false };
const stopReasonOf = (events: Parameters<typeof payloads>[0]) => payloads(events, "stop")[0]?.stopReason;
const returnText = (ret: { parts: Array<{ part?: { $case: string; value: unknown } }> }) =>
  ret.parts.map((p) => (p.part?.$case === "text" ? (p.part.value as { text: string }).text : "")).join("");

describe("tools", () => {
  it("runs a tool, feeds its return to the next step, and ends when the model answers in text", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, {
      memoryBlocks: [human as never],
      ...scripted(turn(call("memory_insert", { label: "human", text: "Likes tea" })), turn(say("Noted."))),
    });
    const { events, error } = await chain.send(key, { agentId: agent.id, messages: [userText("I like tea")], streamTokens: true });
    expect(error).toBeUndefined();
    expect(kinds(events).filter((k) => k !== "ping")).toEqual(["runStarted", "toolCall", "toolReturn", "assistant", "stop", "usage"]);
    expect(payloads(events, "toolReturn")[0]!.status).toBe(ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS);
    expect(stopReasonOf(events)).toBe(StopReason.STOP_REASON_END_TURN);
    expect(payloads(events, "usage")[0]!.stepCount).toBe(2);
    const after = await chain.getAgent(key, agent.id);
    expect(after.memoryBlocks.find((b) => b.label === "human")!.value).toBe("Name: Ada\nLikes tea");
    const stored = await chain.runMessages(key, agent.id, events[0]!.runId);
    expect(stored.map((m) => m.role)).toEqual([
      MessageRole.MESSAGE_ROLE_USER,
      MessageRole.MESSAGE_ROLE_ASSISTANT,
      MessageRole.MESSAGE_ROLE_TOOL,
      MessageRole.MESSAGE_ROLE_ASSISTANT,
    ]);
  });

  it("puts parallel calls in one assistant message and their returns in one tool message", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, {
      ...scripted(turn(call("conversation_search", { query: "tea" }), call("conversation_search", { query: "coffee" })), turn(say("Done."))),
    });
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("search")], streamTokens: true });
    const calls = payloads(events, "toolCall").filter((c) => c.name);
    expect(calls).toHaveLength(2);
    const callMessages = new Set(events.filter((e) => e.payload?.$case === "toolCall").map((e) => e.messageId));
    const returnMessages = new Set(events.filter((e) => e.payload?.$case === "toolReturn").map((e) => e.messageId));
    expect(callMessages.size).toBe(1);
    expect(returnMessages.size).toBe(1);
    const stored = await chain.runMessages(key, agent.id, events[0]!.runId);
    const assistant = stored.find((m) => m.role === MessageRole.MESSAGE_ROLE_ASSISTANT)!;
    const tool = stored.find((m) => m.role === MessageRole.MESSAGE_ROLE_TOOL)!;
    expect(assistant.toolCalls.map((c) => c.id)).toEqual(tool.toolReturns.map((r) => r.toolCallId));
  });

  it("shows a memory edit in the system prompt of the very next step", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, { model: "openai/gpt-4.1-mini", memoryBlocks: [human as never] });
    chain.upstream.enqueue("openai-chat", {
      kind: "stream",
      chunks: toolCallChunks([{ id: "call_edit", name: "memory_replace", args: { label: "human", old_text: "Ada", new_text: "Grace" } }]),
    });
    chain.upstream.enqueue("openai-chat", { kind: "stream", chunks: [textChunk("Hello Grace"), stopChunk()] });
    const before = chain.upstream.requests.length;
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("call me Grace")], streamTokens: true });
    expect(assistantText(events)).toBe("Hello Grace");
    const [first, second] = chain.upstream.requests.slice(before).map((r) => r.body as { messages: Array<{ role: string; content: string }> });
    expect(first!.messages[0]).toMatchObject({ role: "system" });
    expect(first!.messages[0]!.content).toContain("Name: Ada");
    expect(second!.messages[0]!.content).toContain("Name: Grace");
    expect(second!.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_edit" });
  });

  it("answers unknown tools, bad arguments and refused memory edits with error returns the model sees", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, {
      memoryBlocks: [{ ...human, readOnly: true } as never],
      ...scripted(
        turn(
          call("launch_rockets", { count: 3 }),
          call("memory_insert", ["{\"label\": \"human\", "]),
          call("memory_replace", { label: "human", old_text: "Ada", new_text: "Grace" }),
        ),
        turn(say("Sorry.")),
      ),
    });
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("go")], streamTokens: true });
    const returns = payloads(events, "toolReturn");
    expect(returns.map((r) => r.status)).toEqual([2, 2, 2].map(() => ToolReturnStatus.TOOL_RETURN_STATUS_ERROR));
    expect(returnText(returns[0]!)).toContain('tool "launch_rockets" is not available');
    expect(returnText(returns[1]!)).toContain("not valid JSON");
    expect(returnText(returns[2]!)).toMatch(/read.only/i);
    expect(stopReasonOf(events)).toBe(StopReason.STOP_REASON_END_TURN);
    expect(ending(events)).toEqual(["stop", "usage"]);
  });

  it("cuts a long tool output at the tool's character limit and says so", async () => {
    const key = await chain.newTenant();
    const long = "x".repeat(500);
    const agent = await chain.createAgent(key, {
      tools: [{ name: "conversation_search", description: "", requiresApproval: false, executor: 0, returnCharLimit: 40 } as never],
      ...scripted(turn(call("conversation_search", { query: long })), turn(say("ok"))),
    });
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("search")], streamTokens: true });
    const text = returnText(payloads(events, "toolReturn")[0]!);
    expect(text).toMatch(/^.{40}\n\[output truncated: showing the first 40 of \d+ characters\]$/s);
  });

  it("stops at max_steps when the model keeps calling tools", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, {
      model: "conduit/scripted",
      modelSettings: { scripted: { turns: [turn(call("conversation_search", { query: "again" }))], cycle: true }, fallbackModels: [] } as never,
    });
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("loop")], streamTokens: true, maxSteps: 3 });
    expect(stopReasonOf(events)).toBe(StopReason.STOP_REASON_MAX_STEPS);
    expect(payloads(events, "usage")[0]!.stepCount).toBe(3);
    expect(payloads(events, "toolReturn")).toHaveLength(3);
  });
});

describe("external tools", () => {
  it("runs an EXTERNAL tool through its ToolExecutorService and turns its failures into error returns", async () => {
    const tools = await startToolServer();
    try {
      const key = await chain.newTenant();
      const agent = await chain.createAgent(key, {
        tools: [externalTool("lookup", tools.address) as never, externalTool("broken", tools.address) as never],
        ...scripted(turn(call("lookup", { q: "tea" }), call("broken", { q: "x" })), turn(say("ok"))),
      });
      const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("look")], streamTokens: true });
      const [found, broken] = payloads(events, "toolReturn");
      expect(found).toMatchObject({ status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS });
      expect(returnText(found!)).toBe('found {"q":"tea"}');
      expect(broken).toMatchObject({ status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR });
      expect(returnText(broken!)).toBe("Error: broken failed: disk on fire");
      expect(tools.calls[0]).toMatchObject({ toolName: "lookup", agentId: agent.id, runId: events[0]!.runId });
      expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_END_TURN);
    } finally {
      await tools.close();
    }
  });
});
