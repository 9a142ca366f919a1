import {
  finishReasonFromJSON,
  finishReasonToJSON,
  RunError,
  runStatusFromJSON,
  StopReason,
  stopReasonFromJSON,
  stopReasonToJSON,
  Usage,
  type Run,
  type Step,
} from "@conduit/proto/agent/v1";
import { asJson, type JsonObject, type RunRow, type StepRow } from "../db/entities/index.js";

/** Status and stop reason columns hold proto enum names; an unstopped run has a null stop reason. */
export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    organizationId: row.organizationId,
    agentId: row.agentId,
    conversationId: row.conversationId ?? undefined,
    status: runStatusFromJSON(row.status),
    stopReason: row.stopReason ? stopReasonFromJSON(row.stopReason) : StopReason.STOP_REASON_UNSPECIFIED,
    background: row.background,
    owner: row.owner ?? undefined,
    leaseExpiresAt: row.leaseExpiresAt ?? undefined,
    usage: Usage.fromJSON(row.usage),
    ttftMs: row.ttftMs ?? undefined,
    error: row.error ? RunError.fromJSON(row.error) : undefined,
    idempotencyKey: row.idempotencyKey ?? undefined,
    createdAt: row.createdAt,
    startedAt: row.startedAt ?? undefined,
    completedAt: row.completedAt ?? undefined,
    updatedAt: row.updatedAt,
  };
}

export const usageColumn = (usage: Usage): JsonObject => asJson(Usage.toJSON(usage));
export const errorColumn = (error: RunError | undefined): JsonObject | null => (error ? asJson(RunError.toJSON(error)) : null);
export const stopReasonColumn = (reason: StopReason): string | null =>
  reason === StopReason.STOP_REASON_UNSPECIFIED ? null : stopReasonToJSON(reason);

export function toStep(row: StepRow): Step {
  return {
    id: row.id,
    runId: row.runId,
    agentId: row.agentId,
    stepNumber: row.stepNumber,
    model: row.model,
    usage: Usage.fromJSON(row.usage),
    finishReason: finishReasonFromJSON(row.finishReason),
    rawFinishReason: row.rawFinishReason,
    stopReason: row.stopReason ? stopReasonFromJSON(row.stopReason) : StopReason.STOP_REASON_UNSPECIFIED,
    createdAt: row.createdAt,
    completedAt: row.completedAt ?? undefined,
    isErr: row.isErr,
    error: row.error ? RunError.fromJSON(row.error) : undefined,
  };
}

/** The columns a step is written with (ids, ownership and timestamps are set by the caller). */
export function stepColumns(step: Step) {
  return {
    stepNumber: step.stepNumber,
    model: step.model,
    usage: usageColumn(step.usage ?? Usage.fromPartial({})),
    finishReason: finishReasonToJSON(step.finishReason),
    rawFinishReason: step.rawFinishReason,
    stopReason: stopReasonColumn(step.stopReason),
    isErr: step.isErr,
    error: errorColumn(step.error),
  };
}
