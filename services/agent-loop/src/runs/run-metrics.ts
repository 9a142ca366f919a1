import { Counter, Gauge, Histogram, registry } from "@conduit/metrics";
import { errorTypeToJSON, runStatusToJSON, stopReasonToJSON, type Run } from "@conduit/proto/agent/v1";

const name = (value: string, prefix: string) => value.replace(prefix, "").toLowerCase();

/** agent-loop's Prometheus metrics. */
export const runMetrics = {
  ttft: new Histogram({
    name: "conduit_run_ttft_seconds",
    help: "Time from a run's start to the model's first token.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  }),
  ended: new Counter({
    name: "conduit_runs_total",
    help: "Runs that ended, by status and stop reason.",
    labelNames: ["status", "stop_reason"],
    registers: [registry],
  }),
  errors: new Counter({
    name: "conduit_run_errors_total",
    help: "Failed runs by error type (llm_rate_limit, llm_timeout, llm_error, internal_error, ...).",
    labelNames: ["error_type"],
    registers: [registry],
  }),
  active: new Gauge({ name: "conduit_active_runs", help: "Runs this replica executes now.", registers: [registry] }),
  cancelLatency: new Histogram({
    name: "conduit_cancel_latency_seconds",
    help: "From CancelRun to the owning replica confirming that the run ended.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  }),
};

/** Counts a run that ended. */
export function recordRunEnd(run: Run): void {
  runMetrics.ended.inc({ status: name(runStatusToJSON(run.status), "RUN_STATUS_"), stop_reason: name(stopReasonToJSON(run.stopReason), "STOP_REASON_") });
  if (run.ttftMs !== undefined) runMetrics.ttft.observe(run.ttftMs / 1000);
  if (run.error) runMetrics.errors.inc({ error_type: name(errorTypeToJSON(run.error.errorType), "ERROR_TYPE_") });
}
