import { FinishReason, MessageRole, type Agent, type Message, type Step, type ToolReturn, type Usage } from "@conduit/proto/agent/v1";
import type { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { blockOtid } from "./ids.js";
import { internalFailure, invalidToolCallFailure, maxTokensFailure, modelFailure, type Failure } from "./outcomes.js";
import { ModelCallFailure } from "./ports.js";
import type { Emit, LoopDeps, RunPlan } from "./run-loop.js";
import type { StepResult } from "./step-machine.js";
import { closeCalls, firstToolOf, tasksForAnswers, tasksForStep, terminalToolRan, toolMessage } from "./step-plan.js";
import { compileSystemPrompt } from "./system-prompt.js";
import { runCalls, type CallTask } from "./tools/tool-runner.js";
import { waitingCalls } from "./tools/tool-kinds.js";
import { AssistantTurn, type Piece } from "./turn.js";

export interface StepOutput {
  result: StepResult;
  messages: Message[];
  agent: Agent;
  usage: Usage | undefined;
  finish: { reason: FinishReason; raw: string; model: string };
  heartbeat?: string;
}

/** One step: the model call, then the tools it asked for. */
export class StepRunner {
  readonly stepId: string;
  private readonly base: Pick<Message, "agentId" | "conversationId" | "runId" | "stepId">;

  constructor(
    private readonly deps: LoopDeps,
    private readonly plan: RunPlan,
    private agent: Agent,
    private readonly emit: Emit,
    private readonly signal: AbortSignal,
    readonly number: number,
    private readonly onFirstToken: () => void,
  ) {
    this.stepId = deps.ids.stepId();
    this.base = { agentId: plan.run.agentId, conversationId: plan.run.conversationId, runId: plan.run.id, stepId: this.stepId };
  }

  async execute(history: readonly Message[], inputs: readonly Message[]): Promise<StepOutput> {
    const messages = inputs.map((m) => ({ ...m, ...this.base }));
    let turn: AssistantTurn | undefined;
    try {
      if (this.number === 1 && this.plan.resume) {
        const { assistant, answers } = this.plan.resume;
        messages.push(await this.runTools(assistant.toolCalls, tasksForAnswers(assistant, answers, this.agent)));
      }
      if (this.number > 1) this.agent = await this.deps.store.getAgent(this.agent.id, { signal: this.signal });
      turn = new AssistantTurn(this.deps.ids.messageId(), this.plan.strategy, () => this.deps.ids.toolCallId());
      await this.deps.trace("model call", { "conduit.model": this.agent.model || "default" }, () => this.stream(turn!, [...history, ...messages]));
      return await this.afterTurn(turn, messages);
    } catch (err) {
      const cancelled = this.signal.aborted;
      const failure = cancelled ? undefined : failureOf(err);
      if (turn && !turn.isEmpty) this.salvage(turn, messages, cancelled);
      const result: StepResult = failure ? { kind: "failed", failure } : { kind: "cancelled" };
      return this.output(result, messages, turn);
    }
  }

  /** Keeps what the model streamed before the step broke off, and closes its calls. */
  private salvage(turn: AssistantTurn, messages: Message[], cancelled: boolean): void {
    const at = messages.findIndex((m) => m.id === turn.messageId);
    if (at < 0) {
      if (!this.plan.streamTokens) this.emitPieces(turn.messageId, turn.wholePieces());
      messages.push(this.assistantMessage(turn, !cancelled));
    } else {
      messages[at] = { ...messages[at]!, isErr: !cancelled };
    }
    const calls = turn.toolCalls;
    const answered = messages.some((m) => m.role === MessageRole.MESSAGE_ROLE_TOOL && m.toolReturns.some((r) => r.toolCallId === calls[0]?.id));
    if (calls.length > 0 && !answered) messages.push(this.emitReturns(calls, closeCalls(calls, cancelled ? "cancelled" : "failed"), !cancelled));
  }

  record(out: StepOutput, stopReason: Step["stopReason"] | undefined): Step {
    const failure = out.result.kind === "failed" ? out.result.failure : undefined;
    return {
      id: this.stepId,
      runId: this.plan.run.id,
      agentId: this.plan.run.agentId,
      stepNumber: this.number,
      model: out.finish.model || this.agent.model,
      usage: out.usage,
      finishReason: out.finish.reason,
      rawFinishReason: out.finish.raw,
      stopReason: stopReason ?? 0,
      createdAt: undefined,
      isErr: failure !== undefined,
      error: failure?.error,
    };
  }

  private async stream(turn: AssistantTurn, messages: Message[]): Promise<void> {
    let first = true;
    for await (const event of this.deps.model.stream(this.request(messages), { signal: this.signal })) {
      if (first) {
        first = false;
        this.onFirstToken();
      }
      const pieces = turn.push(event);
      if (this.plan.streamTokens) this.emitPieces(turn.messageId, pieces);
    }
    if (!this.plan.streamTokens) this.emitPieces(turn.messageId, turn.wholePieces());
  }

  private async afterTurn(turn: AssistantTurn, messages: Message[]): Promise<StepOutput> {
    const calls = turn.toolCalls;
    const truncated = turn.finish.reason === FinishReason.FINISH_REASON_LENGTH;
    const refusal = truncated ? maxTokensFailure() : (this.plan.strategy.refuse(calls) ?? unnamedCall(calls));
    if (!turn.isEmpty) messages.push(this.assistantMessage(turn, refusal !== undefined));
    if (refusal) {
      if (calls.length > 0) messages.push(this.emitReturns(calls, closeCalls(calls, "failed"), true));
      return this.output({ kind: "failed", failure: refusal }, messages, turn);
    }
    const waiting = waitingCalls(calls, this.agent.tools, this.plan.clientTools);
    if (waiting.length > 0) {
      this.emit({ messageId: turn.messageId, stepId: this.stepId, payload: { $case: "approvalRequest", value: { requestId: turn.messageId, toolCalls: waiting } } });
      return this.output({ kind: "awaiting_approval" }, messages, turn);
    }
    let returns: ToolReturn[] = [];
    if (calls.length > 0) {
      const tools = messages.push(await this.runTools(calls, tasksForStep(calls, this.agent, this.plan.clientTools)));
      returns = messages[tools - 1]!.toolReturns;
    }
    if (this.signal.aborted) return this.output({ kind: "cancelled" }, messages, turn);
    const wants = this.plan.strategy.wantsAnotherStep(calls, returns);
    const result: StepResult = { kind: "finished", wantsAnotherStep: wants, terminalToolRan: terminalToolRan(this.agent, calls, returns) };
    return { ...this.output(result, messages, turn), ...(wants ? { heartbeat: this.plan.strategy.heartbeat(returns) } : {}) };
  }

  private async runTools(calls: Message["toolCalls"], tasks: CallTask[]): Promise<Message> {
    const returns = await runCalls(tasks, {
      store: this.deps.store,
      agentId: this.agent.id,
      signal: this.signal,
      tools: [...this.agent.tools, ...this.plan.clientTools],
      strategy: this.plan.strategy,
      trace: this.deps.trace,
      external: this.deps.external,
      runId: this.plan.run.id,
      organizationId: this.plan.run.organizationId,
    });
    return this.emitReturns(calls, returns, false);
  }

  private emitReturns(calls: Message["toolCalls"], returns: ToolReturn[], isErr: boolean): Message {
    const message = toolMessage(this.deps.ids.messageId(), calls, returns, { ...this.base, isErr });
    message.otid = blockOtid(message.id, 0);
    returns.forEach((ret, i) => this.emit({ messageId: message.id, stepId: this.stepId, otid: blockOtid(message.id, i), payload: { $case: "toolReturn", value: ret } }));
    return message;
  }

  private emitPieces(messageId: string, pieces: Piece[]) {
    for (const piece of pieces) this.emit({ messageId, stepId: this.stepId, ...piece });
  }

  private assistantMessage(turn: AssistantTurn, isErr: boolean): Message {
    return { ...turn.message({ ...this.base, model: turn.finish.model || this.agent.model }), isErr };
  }

  private output(result: StepResult, messages: Message[], turn: AssistantTurn | undefined): StepOutput {
    return { result, messages, agent: this.agent, usage: usageOf(turn), finish: turn?.finish ?? { reason: 0, raw: "", model: "" } };
  }

  private request(messages: Message[]): StreamCompletionRequest {
    const settings = this.agent.modelSettings;
    const firstTool = this.number === 1 ? firstToolOf(this.agent) : undefined;
    return {
      model: this.agent.model,
      system: compileSystemPrompt(this.agent),
      messages,
      tools: this.plan.strategy.toolDefinitions([...this.agent.tools, ...this.plan.clientTools]),
      toolChoice: firstTool ? { choice: { $case: "toolName", value: firstTool } } : undefined,
      parallelToolCalls: settings?.parallelToolCalls,
      reasoning: settings?.reasoning,
      maxTokens: settings?.maxTokens,
      temperature: settings?.temperature,
      responseFormat: settings?.responseFormat,
      fallbackModels: settings?.fallbackModels ?? [],
      providerSettings: settings?.providerSettings,
      scripted: settings?.scripted,
      runId: this.plan.run.id,
      stepId: this.stepId,
    };
  }
}

function usageOf(turn: AssistantTurn | undefined): Usage | undefined {
  const u = turn?.usage;
  if (!u) return undefined;
  const total = u.promptTokens !== undefined && u.completionTokens !== undefined ? u.promptTokens + u.completionTokens : undefined;
  return {
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    totalTokens: total,
    cachedInputTokens: u.cachedInputTokens,
    cacheWriteTokens: u.cacheWriteTokens,
    reasoningTokens: u.reasoningTokens,
    contextTokens: u.promptTokens,
    stepCount: 1,
  };
}

/** A call without a tool name cannot be run or answered. */
const unnamedCall = (calls: Message["toolCalls"]): Failure | undefined =>
  calls.some((c) => c.name === "") ? invalidToolCallFailure("the model made a tool call without a tool name") : undefined;

function failureOf(err: unknown): Failure {
  if (err instanceof ModelCallFailure) return modelFailure(err.kind, err.message, err.detail);
  return internalFailure("the run failed inside Conduit", describe(err));
}

export const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
