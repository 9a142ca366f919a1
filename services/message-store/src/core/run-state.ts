import { runStatusForStopReason } from "@conduit/proto";
import { RunStatus, StopReason, type Usage } from "@conduit/proto/agent/v1";

/** The statuses a run can still leave; the others are terminal and final. */
const ACTIVE: ReadonlySet<RunStatus> = new Set([RunStatus.RUN_STATUS_CREATED, RunStatus.RUN_STATUS_RUNNING]);

export const isActive = (status: RunStatus): boolean => ACTIVE.has(status);

export const isTerminal = (status: RunStatus): boolean =>
  status === RunStatus.RUN_STATUS_COMPLETED || status === RunStatus.RUN_STATUS_FAILED || status === RunStatus.RUN_STATUS_CANCELLED;

/** Where each status may go. RUNNING → RUNNING updates a running run's facts (usage, ttft, owner). */
const MOVES: ReadonlyMap<RunStatus, ReadonlySet<RunStatus>> = new Map([
  [RunStatus.RUN_STATUS_CREATED, new Set([RunStatus.RUN_STATUS_RUNNING, RunStatus.RUN_STATUS_FAILED, RunStatus.RUN_STATUS_CANCELLED])],
  [
    RunStatus.RUN_STATUS_RUNNING,
    new Set([RunStatus.RUN_STATUS_RUNNING, RunStatus.RUN_STATUS_COMPLETED, RunStatus.RUN_STATUS_FAILED, RunStatus.RUN_STATUS_CANCELLED]),
  ],
]);

export const canMove = (from: RunStatus, to: RunStatus): boolean => MOVES.get(from)?.has(to) ?? false;

/** The contract's one status per stop reason. */
export const statusForStopReason = runStatusForStopReason;

/**
 * Why a requested move is refused, or undefined when the state machine allows it: the move
 * itself, then the stop reason, which a terminal status requires and must map to it, and which
 * an active status must not carry.
 */
export function transitionProblem(from: RunStatus, to: RunStatus, stopReason: StopReason): string | undefined {
  if (!canMove(from, to)) return isTerminal(from) ? "a terminal run never changes again" : "the run state machine does not allow this move";
  if (!isTerminal(to)) {
    return stopReason === StopReason.STOP_REASON_UNSPECIFIED ? undefined : "only a terminal status takes a stop reason";
  }
  if (stopReason === StopReason.STOP_REASON_UNSPECIFIED) return "a terminal status needs a stop reason";
  return statusForStopReason(stopReason) === to ? undefined : "the stop reason does not map to the new status";
}

const COUNTS = [
  "promptTokens",
  "completionTokens",
  "totalTokens",
  "cachedInputTokens",
  "cacheWriteTokens",
  "reasoningTokens",
  "contextTokens",
] as const satisfies readonly (keyof Usage)[];

/**
 * A run's totals after one more step. Each count sums the steps that reported it: a count the
 * step did not report leaves the total as it was (unset stays unset, never becomes 0).
 * `contextTokens` is the prompt size at the last call, so the latest report replaces it.
 */
export function addStepUsage(total: Usage, step: Usage | undefined): Usage {
  const next: Usage = { ...total, stepCount: total.stepCount + 1 };
  for (const key of COUNTS) {
    const add = step?.[key];
    if (add === undefined) continue;
    next[key] = key === "contextTokens" ? add : (total[key] ?? 0) + add;
  }
  return next;
}
