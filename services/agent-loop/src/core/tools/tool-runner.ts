import { ToolExecutor, type Tool, type ToolCall, type ToolReturn } from "@conduit/proto/agent/v1";
import { ToolRefusal, type ExternalTools, type Trace } from "../ports.js";
import type { AgentStrategy } from "../strategies/strategy.js";
import { BUILTINS, type BuiltinContext } from "./builtin-tools.js";
import { cancelledReturn, DEFAULT_RETURN_CHAR_LIMIT, errorReturn, successReturn, truncateReturn } from "./tool-returns.js";

/** What the runner is asked to do with each call of a step. */
export type CallTask = { call: ToolCall; do: "run" } | { call: ToolCall; do: "answer"; with: ToolReturn };

export interface ToolRunContext extends BuiltinContext {
  tools: readonly Tool[];
  strategy: AgentStrategy;
  external: ExternalTools;
  trace: Trace;
  runId: string;
  organizationId: string;
}

/**
 * Runs a step's calls and returns one result per call, in call order. Calls that are safe together
 * run concurrently; memory edits run one after another. Bad arguments, unknown tools and store
 * refusals become error returns the model sees; every text result is cut to the tool's limit.
 */
export async function runCalls(tasks: readonly CallTask[], ctx: ToolRunContext): Promise<ToolReturn[]> {
  const results: Promise<ToolReturn>[] = [];
  let serial: Promise<unknown> = Promise.resolve();
  for (const task of tasks) {
    if (task.do === "answer") {
      results.push(Promise.resolve(task.with));
      continue;
    }
    const concurrent = BUILTINS.get(task.call.name)?.concurrent ?? true;
    const attributes = { "conduit.tool": task.call.name, "conduit.tool_call_id": task.call.id };
    const run = () => ctx.trace("tool", attributes, () => runOne(task.call, ctx)).catch((err: unknown) => cancelledOr(err, task.call, ctx.signal));
    const result = concurrent ? run() : serial.then(run);
    if (!concurrent) serial = result;
    results.push(result);
  }
  const returns = await Promise.all(results);
  return returns.map((ret, i) => truncateReturn(ret, limitOf(tasks[i]!.call, ctx.tools)));
}

async function runOne(call: ToolCall, ctx: ToolRunContext): Promise<ToolReturn> {
  const tool = ctx.tools.find((t) => t.name === call.name);
  const builtin = BUILTINS.get(call.name);
  const external = tool?.executor === ToolExecutor.TOOL_EXECUTOR_EXTERNAL;
  if (!external && !builtin) return errorReturn(call.id, `tool "${call.name}" is not available to this agent`);
  let raw: unknown;
  try {
    raw = JSON.parse(call.argumentsJson || "{}");
  } catch {
    return errorReturn(call.id, `the arguments of ${call.name} are not valid JSON: ${preview(call.argumentsJson)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return errorReturn(call.id, `the arguments of ${call.name} must be a JSON object`);
  }
  const args = ctx.strategy.toolArguments(raw as Record<string, unknown>);
  try {
    if (external) {
      const externalCall = { toolCallId: call.id, argumentsJson: JSON.stringify(args), runId: ctx.runId, agentId: ctx.agentId, organizationId: ctx.organizationId };
      return { ...(await ctx.external.execute(tool, externalCall, ctx)), toolCallId: call.id };
    }
    const parsed = builtin!.args.safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return errorReturn(call.id, `invalid arguments for ${call.name}: ${issue?.path.join(".") || "arguments"}: ${issue?.message}`);
    }
    return successReturn(call.id, await builtin!.run(parsed.data, ctx));
  } catch (err) {
    if (err instanceof ToolRefusal) return errorReturn(call.id, err.message);
    throw err;
  }
}

/** A call cut short by the run's cancel answers so; anything else is the loop's failure. */
function cancelledOr(err: unknown, call: ToolCall, signal: AbortSignal): ToolReturn {
  if (signal.aborted) return cancelledReturn(call.id);
  throw err;
}

const limitOf = (call: ToolCall, tools: readonly Tool[]) =>
  tools.find((t) => t.name === call.name)?.returnCharLimit ?? DEFAULT_RETURN_CHAR_LIMIT;

const preview = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
