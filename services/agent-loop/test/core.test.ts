import { describe, expect, it } from "vitest";
import { RunStatus, StopReason, ToolExecutor, ToolReturnStatus, type Tool, type ToolCall } from "@conduit/proto/agent/v1";
import { checkAnswers } from "../src/core/approvals.js";
import { blockOtid } from "../src/core/ids.js";
import { statusOf } from "../src/core/outcomes.js";
import { nextState } from "../src/core/step-machine.js";
import { memgptStrategy } from "../src/core/strategies/memgpt.js";
import { reactStrategy } from "../src/core/strategies/react.js";
import { compileSystemPrompt } from "../src/core/system-prompt.js";
import { pendingRequestOf, waitingCalls } from "../src/core/tools/tool-kinds.js";
import { successReturn, truncateReturn } from "../src/core/tools/tool-returns.js";
import { AssistantTurn } from "../src/core/turn.js";
import { approve, toolResult } from "./support/input.js";

const stepping = { kind: "stepping" as const, step: 2 };
const finished = (wantsAnotherStep: boolean, terminalToolRan = false) => ({ kind: "finished" as const, wantsAnotherStep, terminalToolRan });

describe("the step state machine", () => {
  it("decides every way a step can end", () => {
    const failure = { stopReason: StopReason.STOP_REASON_LLM_API_ERROR, error: { errorType: 2, message: "m", detail: "" } };
    expect(nextState(stepping, { kind: "failed", failure }, 5)).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_LLM_API_ERROR, failure });
    expect(nextState(stepping, { kind: "cancelled" }, 5)).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_CANCELLED });
    expect(nextState(stepping, { kind: "awaiting_approval" }, 5)).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_REQUIRES_APPROVAL });
    expect(nextState(stepping, finished(true, true), 5)).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_TOOL_RULE });
    expect(nextState(stepping, finished(false), 5)).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_END_TURN });
    expect(nextState(stepping, finished(true), 2)).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_MAX_STEPS });
    expect(nextState(stepping, finished(true), 3)).toEqual({ kind: "stepping", step: 3 });
  });

  it("maps every stop reason to its terminal status", () => {
    const completed = [StopReason.STOP_REASON_END_TURN, StopReason.STOP_REASON_MAX_STEPS, StopReason.STOP_REASON_TOOL_RULE, StopReason.STOP_REASON_REQUIRES_APPROVAL];
    for (const reason of Object.values(StopReason).filter((v): v is StopReason => typeof v === "number" && v > 0)) {
      const expected = completed.includes(reason)
        ? RunStatus.RUN_STATUS_COMPLETED
        : reason === StopReason.STOP_REASON_CANCELLED
          ? RunStatus.RUN_STATUS_CANCELLED
          : RunStatus.RUN_STATUS_FAILED;
      expect(statusOf(reason), StopReason[reason]).toBe(expected);
    }
  });
});

describe("otids", () => {
  it("set the low 7 bits of the message UUID to the block index", () => {
    const id = "message-0a5ab301-1d25-4f62-8e83-a67bf4a932ff";
    expect(blockOtid(id, 0)).toBe("0a5ab301-1d25-4f62-8e83-a67bf4a93280");
    expect(blockOtid(id, 5)).toBe("0a5ab301-1d25-4f62-8e83-a67bf4a93285");
  });
});

const textDelta = (text: string) => ({ event: { $case: "textDelta" as const, value: { text } } });
const reasoningDelta = (text: string, signature?: string) => ({ event: { $case: "reasoningDelta" as const, value: { text, signature } } });
const callDelta = (index: number, argumentsDelta: string, name?: string, id?: string) => ({
  event: { $case: "toolCallDelta" as const, value: { index, id, name, argumentsDelta } },
});

describe("AssistantTurn", () => {
  it("gives each run of one kind of content its own block and otid, and keeps them in the message", () => {
    const turn = new AssistantTurn("message-00000000-0000-0000-0000-000000000000", reactStrategy, () => "call_gen");
    const pieces = [reasoningDelta("a"), reasoningDelta("b", "sig"), textDelta("c"), textDelta("d"), callDelta(0, '{"q":', "search", "call_1"), callDelta(0, "1}")].flatMap((e) => turn.push(e));
    expect(pieces.map((p) => p.otid.slice(-2))).toEqual(["00", "00", "01", "01", "02", "02"]);
    const message = turn.message({ agentId: "agent", conversationId: undefined, runId: "run", stepId: "step", model: "m" });
    expect(message.content.map((c) => c.part)).toEqual([
      { $case: "reasoning", value: { text: "ab", signature: "sig", isNative: true } },
      { $case: "text", value: { text: "cd", signature: undefined } },
    ]);
    expect(message.toolCalls).toEqual([{ id: "call_1", name: "search", argumentsJson: '{"q":1}', signature: undefined }]);
  });

  it("starts a new reasoning block after a signed one", () => {
    const turn = new AssistantTurn("message-00000000-0000-0000-0000-000000000000", reactStrategy, () => "x");
    const otids = [reasoningDelta("a", "s1"), reasoningDelta("b", "s2")].flatMap((e) => turn.push(e)).map((p) => p.otid);
    expect(new Set(otids).size).toBe(2);
  });

  it("names a call the provider left without an id", () => {
    const turn = new AssistantTurn("message-00000000-0000-0000-0000-000000000000", reactStrategy, () => "call_generated");
    turn.push(callDelta(0, "{}", "search"));
    expect(turn.toolCalls[0]!.id).toBe("call_generated");
  });

  it("for memgpt, streams thinking as inner thoughts and send_message's text as assistant deltas, one byte at a time", () => {
    const turn = new AssistantTurn("message-00000000-0000-0000-0000-000000000000", memgptStrategy, () => "x");
    const args = JSON.stringify({ thinking: "hmm", message: "Hi \"you\" 😀" });
    const pieces = [callDelta(0, "", "send_message", "c1"), ...[...args].map((ch) => callDelta(0, ch))].flatMap((e) => turn.push(e));
    const text = (kind: string) => pieces.filter((p) => p.payload.$case === kind).map((p) => (p.payload.value as { content: { value: string } }).content.value).join("");
    expect(text("reasoning")).toBe("hmm");
    expect(text("assistant")).toBe('Hi "you" 😀');
    expect(pieces.some((p) => p.payload.$case === "toolCall")).toBe(false);
    expect(turn.toolCalls[0]!.argumentsJson).toBe(args);
    expect(turn.wholePieces().map((p) => p.payload.$case)).toEqual(["reasoning", "assistant"]);
  });
});

describe("memgpt tool definitions", () => {
  it("inject a required thinking argument, and request_heartbeat except on send_message", () => {
    const [search, send] = memgptStrategy.toolDefinitions([
      { name: "search", description: "", jsonSchema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] }, requiresApproval: false, executor: 1 },
      { name: "send_message", description: "", jsonSchema: { type: "object", properties: { message: { type: "string" } } }, requiresApproval: false, executor: 1 },
    ]);
    expect(Object.keys(search!.parameters!["properties"] as object)).toEqual(["thinking", "q", "request_heartbeat"]);
    expect(search!.parameters!["required"]).toEqual(["thinking", "q"]);
    expect(Object.keys(send!.parameters!["properties"] as object)).toEqual(["thinking", "message"]);
    expect(memgptStrategy.toolArguments({ thinking: "t", request_heartbeat: true, q: 1 })).toEqual({ q: 1 });
  });
});

describe("tool output truncation", () => {
  it("cuts text at the limit in characters, not UTF-16 units, and says how much it kept", () => {
    const ret = truncateReturn(successReturn("c", "😀😀😀abc"), 4);
    expect(ret.parts[0]!.part).toMatchObject({ $case: "text", value: { text: "😀😀😀a\n[output truncated: showing the first 4 of 6 characters]" } });
    expect(truncateReturn(successReturn("c", "short"), 10)).toEqual(successReturn("c", "short"));
  });
});

const call = (id: string, name: string): ToolCall => ({ id, name, argumentsJson: "{}" });
const tool = (name: string, requiresApproval: boolean, executor: ToolExecutor): Tool => ({ name, description: "", jsonSchema: undefined, requiresApproval, executor });
const tools = [tool("search", false, ToolExecutor.TOOL_EXECUTOR_BUILTIN), tool("deploy", true, ToolExecutor.TOOL_EXECUTOR_BUILTIN)];

describe("approvals", () => {
  it("waits for approval and client calls, with any unknown call of the same step", () => {
    const client = [tool("weather", false, ToolExecutor.TOOL_EXECUTOR_CLIENT)];
    expect(waitingCalls([call("1", "search"), call("2", "nope")], tools, client)).toEqual([]);
    expect(waitingCalls([call("1", "search"), call("2", "deploy"), call("3", "weather"), call("4", "nope")], tools, client).map((c) => c.id)).toEqual(["2", "3", "4"]);
  });

  it("reads the pending request off the end of the context", () => {
    const assistant = { id: "message-a", role: 3, toolCalls: [call("1", "search"), call("2", "deploy")], runId: "run-1" } as never;
    expect(pendingRequestOf([assistant], tools)).toMatchObject({ requestId: "message-a", runId: "run-1", waiting: [call("2", "deploy")] });
    expect(pendingRequestOf([assistant, { id: "m", role: 4, toolCalls: [] } as never], tools)).toBeUndefined();
  });

  it("accepts answers only when they answer every waiting call once and nothing else", () => {
    const pending = { requestId: "r", runId: "run", assistant: {} as never, waiting: [call("1", "deploy"), call("2", "weather")] };
    expect(checkAnswers(pending, []).kind).toBe("pending_unanswered");
    expect(checkAnswers(undefined, [approve("1")])).toEqual({ kind: "unknown_call", toolCallId: "1" });
    expect(checkAnswers(pending, [approve("9")])).toEqual({ kind: "unknown_call", toolCallId: "9" });
    expect(checkAnswers(pending, [approve("1")])).toEqual({ kind: "unanswered_calls", toolCallIds: ["2"] });
    expect(checkAnswers(pending, [approve("1"), approve("1")])).toEqual({ kind: "answered_twice", toolCallId: "1" });
    expect(checkAnswers(pending, [approve("1"), toolResult("2", "ok")]).kind).toBe("answers");
    expect(checkAnswers(undefined, []).kind).toBe("none");
  });
});

describe("system prompt", () => {
  it("holds the system text and every block with its size and limit", () => {
    const prompt = compileSystemPrompt({
      system: "Be kind.",
      memoryBlocks: [{ id: "b", agentId: "a", label: "human", value: "Ada ☕", limit: 100, description: "the user", readOnly: true, createdAt: undefined, updatedAt: undefined }],
    });
    expect(prompt.startsWith("Be kind.\n")).toBe(true);
    expect(prompt).toContain("<human>\n<description>the user</description>\n<metadata>chars_current=5 chars_limit=100 read_only=true</metadata>\n<value>\nAda ☕\n</value>\n</human>");
  });
});

describe("tool return status", () => {
  it("is success for a built-in tool's result", () => {
    expect(successReturn("c", "ok").status).toBe(ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS);
  });
});
