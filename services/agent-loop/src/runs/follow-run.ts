import { ServiceError, Status } from "@conduit/grpc-kit";
import { runStatusToJSON, stopReasonToJSON, type Run, type RunEvent } from "@conduit/proto/agent/v1";
import { isEnded } from "./cancel-run.js";
import type { StreamedEvent } from "../events/encoded-event.js";
import type { RunEventLog } from "./event-log.js";

/**
 * A run's events from the event log, after `after`, following it live until its end; undefined
 * when they are not kept (a foreground run, or an expired log).
 */
export async function loggedEvents(log: RunEventLog, run: Run, after: number, signal: AbortSignal): Promise<AsyncIterable<StreamedEvent> | undefined> {
  if (!run.background) return undefined;
  // An active background run's first events may still be on their way to the log.
  if (isEnded(run) && (await log.last(run.id, signal)) === undefined) return undefined;
  return log.read(run.id, after, signal);
}

export function eventsUnavailable(run: Run): ServiceError {
  const why = run.background ? "its event log has expired" : "it did not run in background";
  return new ServiceError(Status.FAILED_PRECONDITION, "RUN_EVENTS_UNAVAILABLE", `the events of run ${run.id} are not kept: ${why}; read it with GetRun`, {
    metadata: { run_id: run.id, status: runStatusToJSON(run.status), stop_reason: stopReasonToJSON(run.stopReason) },
  });
}

/** The stream of a run whose events are not kept: run_started, its error, stop and usage, from the record. */
export function* recordedEvents(run: Run): Generator<RunEvent> {
  const bodies: RunEvent["payload"][] = [
    { $case: "runStarted", value: { run } },
    ...(run.error ? [{ $case: "error" as const, value: run.error }] : []),
    { $case: "stop", value: { stopReason: run.stopReason } },
    { $case: "usage", value: run.usage ?? { stepCount: 0 } },
  ];
  let seq = 0;
  for (const payload of bodies) {
    yield { runId: run.id, seqId: String(++seq), createdAt: run.completedAt ?? run.updatedAt, payload };
  }
}
