import { MessageRole, ToolReturnStatus, type Agent, type Approval, type Message, type Tool, type ToolCall, type ToolReturn } from "@conduit/proto/agent/v1";
import type { CallTask } from "./tools/tool-runner.js";
import { kindOf } from "./tools/tool-kinds.js";
import { cancelledReturn, deniedReturn, errorReturn } from "./tools/tool-returns.js";
import { emptyMessage } from "./turn.js";

/** What to do with each call the model made in a step that does not wait for anyone. */
export function tasksForStep(calls: readonly ToolCall[], agent: Agent, clientTools: readonly Tool[]): CallTask[] {
  const perTool = new Map<string, number>();
  return calls.map((call): CallTask => {
    const count = (perTool.get(call.name) ?? 0) + 1;
    perTool.set(call.name, count);
    const max = maxCountOf(agent, call.name);
    if (max !== undefined && count > max) {
      return answer(call, errorReturn(call.id, `${call.name} may be called at most ${max} time(s) per step; this call was not run`));
    }
    return kindOf(call, agent.tools, clientTools) === "unknown"
      ? answer(call, errorReturn(call.id, `tool "${call.name}" is not available to this agent`))
      : { call, do: "run" };
  });
}

/** What to do with each call of a pending request, given the caller's answers (already checked). */
export function tasksForAnswers(assistant: Message, answers: ReadonlyMap<string, Approval>, agent: Agent): CallTask[] {
  return assistant.toolCalls.map((call): CallTask => {
    const a = answers.get(call.id)?.approval;
    if (!a) return kindOf(call, agent.tools, []) === "auto" ? { call, do: "run" } : answer(call, cancelledReturn(call.id));
    if (a.$case === "toolReturn") {
      const status = a.value.status || ToolReturnStatus.TOOL_RETURN_STATUS_ERROR;
      return answer(call, { ...a.value, toolCallId: call.id, status });
    }
    if (!a.value.approve) return answer(call, deniedReturn(call.id, a.value.reason));
    return kindOf(call, agent.tools, []) === "approval"
      ? { call, do: "run" }
      : answer(call, errorReturn(call.id, `${call.name} is run by the caller; the approval carried no tool return for it`));
  });
}

/** Every call of an interrupted step answered with the same error, so no call is left open. */
export const closeCalls = (calls: readonly ToolCall[], why: "cancelled" | "failed"): ToolReturn[] =>
  calls.map((c) => (why === "cancelled" ? cancelledReturn(c.id) : errorReturn(c.id, "the step failed before this call ran")));

export function toolMessage(id: string, calls: readonly ToolCall[], returns: ToolReturn[], base: Partial<Message>): Message {
  const single = calls.length === 1 ? calls[0] : undefined;
  return {
    ...emptyMessage(),
    ...base,
    id,
    role: MessageRole.MESSAGE_ROLE_TOOL,
    toolReturns: returns,
    toolCallId: single?.id,
    name: single?.name,
  };
}

export const terminalToolRan = (agent: Agent, calls: readonly ToolCall[], returns: readonly ToolReturn[]) =>
  calls.some(
    (c, i) =>
      returns[i]?.status === ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS &&
      agent.toolRules.some((r) => r.rule?.$case === "terminal" && r.rule.value.toolName === c.name),
  );

export const firstToolOf = (agent: Agent): string | undefined =>
  agent.toolRules.flatMap((r) => (r.rule?.$case === "runFirst" ? [r.rule.value.toolName] : []))[0];

const maxCountOf = (agent: Agent, name: string) =>
  agent.toolRules.flatMap((r) => (r.rule?.$case === "maxCountPerStep" && r.rule.value.toolName === name ? [r.rule.value.maxCount] : []))[0];

const answer = (call: ToolCall, ret: ToolReturn): CallTask => ({ call, do: "answer", with: ret });
