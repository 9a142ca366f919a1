import { RunStatus, StopReason } from "./gen/conduit/agent/v1/run.js";

/**
 * The terminal status a stop reason ends a run in (the contract gives one per reason); undefined
 * for "not stopped".
 */
export function runStatusForStopReason(reason: StopReason): RunStatus | undefined {
  switch (reason) {
    case StopReason.STOP_REASON_END_TURN:
    case StopReason.STOP_REASON_MAX_STEPS:
    case StopReason.STOP_REASON_TOOL_RULE:
    case StopReason.STOP_REASON_REQUIRES_APPROVAL:
      return RunStatus.RUN_STATUS_COMPLETED;
    case StopReason.STOP_REASON_ERROR:
    case StopReason.STOP_REASON_LLM_API_ERROR:
    case StopReason.STOP_REASON_INVALID_LLM_RESPONSE:
    case StopReason.STOP_REASON_INVALID_TOOL_CALL:
    case StopReason.STOP_REASON_NO_TOOL_CALL:
    case StopReason.STOP_REASON_MAX_TOKENS_EXCEEDED:
    case StopReason.STOP_REASON_CONTEXT_WINDOW_OVERFLOW:
      return RunStatus.RUN_STATUS_FAILED;
    case StopReason.STOP_REASON_CANCELLED:
      return RunStatus.RUN_STATUS_CANCELLED;
    case StopReason.STOP_REASON_UNSPECIFIED:
    case StopReason.UNRECOGNIZED:
      return undefined;
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}
