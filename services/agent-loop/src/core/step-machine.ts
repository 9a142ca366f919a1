import { StopReason } from "@conduit/proto/agent/v1";
import type { Failure } from "./outcomes.js";

/** Where the loop is: about to run step `step`, or stopped for one reason. */
export type LoopState =
  | { kind: "stepping"; step: number }
  | { kind: "stopped"; stopReason: StopReason; failure?: Failure };

/** What one step came to, whatever the agent type. */
export type StepResult =
  | { kind: "failed"; failure: Failure }
  | { kind: "cancelled" }
  | { kind: "awaiting_approval" }
  /** Tools ran or the model answered; the strategy says whether the agent wants another step. */
  | { kind: "finished"; wantsAnotherStep: boolean; terminalToolRan: boolean };

export const firstState: LoopState = { kind: "stepping", step: 1 };

/** The one place that decides whether the run goes on, and why it stops. */
export function nextState(state: Extract<LoopState, { kind: "stepping" }>, result: StepResult, maxSteps: number): LoopState {
  switch (result.kind) {
    case "failed":
      return { kind: "stopped", stopReason: result.failure.stopReason, failure: result.failure };
    case "cancelled":
      return { kind: "stopped", stopReason: StopReason.STOP_REASON_CANCELLED };
    case "awaiting_approval":
      return { kind: "stopped", stopReason: StopReason.STOP_REASON_REQUIRES_APPROVAL };
    case "finished":
      if (result.terminalToolRan) return { kind: "stopped", stopReason: StopReason.STOP_REASON_TOOL_RULE };
      if (!result.wantsAnotherStep) return { kind: "stopped", stopReason: StopReason.STOP_REASON_END_TURN };
      if (state.step >= maxSteps) return { kind: "stopped", stopReason: StopReason.STOP_REASON_MAX_STEPS };
      return { kind: "stepping", step: state.step + 1 };
  }
}
