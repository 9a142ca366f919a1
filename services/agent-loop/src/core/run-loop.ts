import { MessageRole, type Agent, type Approval, type Message, type Run, type Tool } from "@conduit/proto/agent/v1";
import { blockOtid } from "./ids.js";
import { internalFailure } from "./outcomes.js";
import type { Clock, ExternalTools, IdGenerator, ModelClient, RunStore, Trace } from "./ports.js";
import { firstState, nextState, type LoopState } from "./step-machine.js";
import { describe, StepRunner } from "./step-runner.js";
import type { AgentStrategy } from "./strategies/strategy.js";
import { textPart } from "./tools/tool-returns.js";
import { emptyMessage, type Piece } from "./turn.js";

export interface LoopDeps {
  store: RunStore;
  model: ModelClient;
  external: ExternalTools;
  ids: IdGenerator;
  clock: Clock;
  /** A signal for writes that must land even after the run was cancelled. */
  persistSignal(): AbortSignal;
  trace: Trace;
}

/** Everything a run needs, decided before it starts. */
export interface RunPlan {
  run: Run;
  agent: Agent;
  strategy: AgentStrategy;
  /** The context window before this run. */
  history: Message[];
  /** The caller's messages, with ids, committed with the first step. */
  input: Message[];
  /** The pending request the input answers, with the answers by call id. */
  resume?: { assistant: Message; answers: ReadonlyMap<string, Approval> };
  clientTools: Tool[];
  maxSteps: number;
  streamTokens: boolean;
}

/** A message payload of the run, for its streams. */
export interface StepPiece {
  messageId: string;
  stepId: string;
  otid?: string;
  payload: Piece["payload"];
}

/** Where the pieces go: the run's event log. */
export type Emit = (piece: StepPiece) => void;

export interface LoopEnd {
  state: Extract<LoopState, { kind: "stopped" }>;
  ttftMs?: number;
  /** The run as the last commit left it (usage totals; ended, when `ended`). */
  run: Run;
  /** True when the last commit also ended the run. */
  ended: boolean;
}

/** Runs steps until the state machine stops; never throws (a failure is a stop reason). */
export async function runLoop(deps: LoopDeps, plan: RunPlan, emit: Emit, signal: AbortSignal): Promise<LoopEnd> {
  const started = deps.clock.now().getTime();
  const history = [...plan.history];
  let state: LoopState = firstState;
  let inputs = [...plan.input];
  let agent = plan.agent;
  let run = plan.run;
  let ttftMs: number | undefined;
  let ended = false;
  while (state.kind === "stepping") {
    const stepNumber = state.step;
    const step = new StepRunner(deps, plan, agent, emit, signal, stepNumber, () => {
      ttftMs ??= deps.clock.now().getTime() - started;
    });
    const out = await deps.trace("step", { "conduit.run_id": plan.run.id, "conduit.step": stepNumber }, () => step.execute(history, inputs));
    state = nextState(state, out.result, plan.maxSteps);
    const stopReason = state.kind === "stopped" ? state.stopReason : undefined;
    // The run is RUNNING from its creation: its last step's commit also ends it.
    const end = state.kind === "stopped" ? { stopReason: state.stopReason, error: state.failure?.error, ttftMs } : undefined;
    try {
      const committed = await deps.store.commitStep(step.record(out, stopReason), out.messages, { signal: deps.persistSignal(), end });
      run = committed.run;
      ended = committed.ended;
    } catch (err) {
      const failure = internalFailure("the step could not be saved", describe(err));
      state = { kind: "stopped", stopReason: failure.stopReason, failure };
    }
    history.push(...out.messages);
    agent = out.agent;
    inputs = out.heartbeat ? [heartbeatMessage(deps, plan, out.heartbeat)] : [];
  }
  return { state, ...(ttftMs === undefined ? {} : { ttftMs }), run, ended };
}

function heartbeatMessage(deps: LoopDeps, plan: RunPlan, text: string): Message {
  const id = deps.ids.messageId();
  return { ...emptyMessage(), id, otid: blockOtid(id, 0), agentId: plan.run.agentId, role: MessageRole.MESSAGE_ROLE_USER, content: [textPart(text)] };
}
