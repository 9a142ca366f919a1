import { runStatusForStopReason } from "@conduit/proto";
import { ErrorType, RunStatus, StopReason, type RunError } from "@conduit/proto/agent/v1";
import type { ModelFailureKind } from "./ports.js";

/** The terminal status a stop reason maps to (architecture §3); every reason the loop stops with has one. */
export const statusOf = (reason: StopReason): RunStatus => runStatusForStopReason(reason) ?? RunStatus.RUN_STATUS_FAILED;

/** Why a run failed: the stop reason with the error the caller sees. */
export interface Failure {
  stopReason: StopReason;
  error: RunError;
}

const failure = (stopReason: StopReason, errorType: ErrorType, message: string, detail = ""): Failure => ({
  stopReason,
  error: { errorType, message, detail },
});

/** A failed model call, by its class. */
export function modelFailure(kind: ModelFailureKind, message: string, detail: string): Failure {
  const api = StopReason.STOP_REASON_LLM_API_ERROR;
  switch (kind) {
    case "rate_limit":
      return failure(api, ErrorType.ERROR_TYPE_LLM_RATE_LIMIT, message, detail);
    case "timeout":
      return failure(api, ErrorType.ERROR_TYPE_LLM_TIMEOUT, message, detail);
    case "auth":
      return failure(api, ErrorType.ERROR_TYPE_LLM_AUTHENTICATION, message, detail);
    case "bad_request":
      return failure(api, ErrorType.ERROR_TYPE_LLM_BAD_REQUEST, message, detail);
    case "unavailable":
      return failure(api, ErrorType.ERROR_TYPE_LLM_ERROR, message, detail);
    case "context_window":
      return failure(StopReason.STOP_REASON_CONTEXT_WINDOW_OVERFLOW, ErrorType.ERROR_TYPE_CONTEXT_WINDOW_OVERFLOW, message, detail);
    case "malformed":
      return failure(StopReason.STOP_REASON_INVALID_LLM_RESPONSE, ErrorType.ERROR_TYPE_INVALID_LLM_RESPONSE, message, detail);
    case "internal":
      return internalFailure(message, detail);
  }
}

export const internalFailure = (message: string, detail = ""): Failure =>
  failure(StopReason.STOP_REASON_ERROR, ErrorType.ERROR_TYPE_INTERNAL_ERROR, message, detail);

export const maxTokensFailure = (): Failure =>
  failure(
    StopReason.STOP_REASON_MAX_TOKENS_EXCEEDED,
    ErrorType.ERROR_TYPE_MAX_TOKENS_EXCEEDED,
    "the model reached its output token limit before finishing",
  );

export const noToolCallFailure = (): Failure =>
  failure(StopReason.STOP_REASON_NO_TOOL_CALL, ErrorType.ERROR_TYPE_INVALID_LLM_RESPONSE, "the agent type requires a tool call and the model made none");

export const invalidToolCallFailure = (message: string): Failure =>
  failure(StopReason.STOP_REASON_INVALID_TOOL_CALL, ErrorType.ERROR_TYPE_INVALID_TOOL_CALL, message);
