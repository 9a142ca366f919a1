import type { Agent, Message, MessageRole, MemoryBlock, Run, RunError, RunStatus, Step, StopReason, Tool, ToolReturn, Usage } from "@conduit/proto/agent/v1";
import type { CompletionEvent, StreamCompletionRequest } from "@conduit/proto/provider/v1";

/** Every call into the world takes the run's one signal. */
export interface Signalled {
  signal: AbortSignal;
}

/** The model, through provider-adapter. Failures are thrown as ModelCallFailure. */
export interface ModelClient {
  stream(request: StreamCompletionRequest, opts: Signalled): AsyncIterable<CompletionEvent>;
}

/** The message store as the loop sees it, acting for one organization. */
export interface RunStore {
  getAgent(agentId: string, opts: Signalled): Promise<Agent>;
  /** The agent's (or conversation's) context window, in order. */
  contextMessages(agentId: string, conversationId: string | undefined, opts: Signalled): Promise<Message[]>;
  /** Writes a step; with `end`, the same write ends the run (`ended` says whether it did). */
  commitStep(step: Step, messages: Message[], opts: Signalled & { end?: RunEnding }): Promise<{ run: Run; messages: Message[]; ended: boolean }>;
  transitionRun(change: RunTransition, opts: Signalled): Promise<{ won: boolean; run: Run }>;
  /** Replaces a block's value; refusals (read-only, over the limit) are thrown as ToolRefusal. */
  setBlockValue(agentId: string, label: string, value: string, opts: Signalled): Promise<MemoryBlock>;
  searchMessages(query: MessageQuery, opts: Signalled): Promise<Message[]>;
}

/** How a run ends, written with its last step. */
export interface RunEnding {
  stopReason: StopReason;
  error?: RunError;
  ttftMs?: number;
}

export interface RunTransition {
  runId: string;
  from: RunStatus;
  to: RunStatus;
  stopReason?: StopReason;
  error?: RunError;
  ttftMs?: number;
  usage?: Usage;
  /** The sweeper's guard: only when the owner's lease has expired. */
  onlyIfLeaseExpired?: boolean;
}

export interface MessageQuery {
  agentId: string;
  query: string;
  roles: MessageRole[];
  limit: number;
  startTime?: Date;
  endTime?: Date;
}

/** Tools served by a ToolExecutorService (executor EXTERNAL). Failures are thrown as ToolRefusal. */
export interface ExternalTools {
  execute(tool: Tool, call: ExternalCall, opts: Signalled): Promise<ToolReturn>;
}

export interface ExternalCall {
  toolCallId: string;
  argumentsJson: string;
  runId: string;
  agentId: string;
  organizationId: string;
}

/** Runs work inside a named span of the run's trace (a no-op without tracing). */
export type Trace = <T>(name: string, attributes: Record<string, string | number>, fn: () => Promise<T>) => Promise<T>;

/** Fresh ids; `message-<uuid>` and friends. */
export interface IdGenerator {
  messageId(): string;
  stepId(): string;
  toolCallId(): string;
}

export interface Clock {
  now(): Date;
}

/** How a model call failed, classified by provider-adapter (or the transport to it). */
export type ModelFailureKind =
  | "rate_limit"
  | "timeout"
  | "auth"
  | "bad_request"
  | "context_window"
  | "malformed"
  | "unavailable"
  | "internal";

export class ModelCallFailure extends Error {
  constructor(
    readonly kind: ModelFailureKind,
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = "ModelCallFailure";
  }
}

/** A store refusal a tool reports to the model as an error return, not a crash. */
export class ToolRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolRefusal";
  }
}
