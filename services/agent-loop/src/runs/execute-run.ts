import { RunStatus, type Run, type StopReason, type Usage } from "@conduit/proto/agent/v1";
import type { Logger } from "@conduit/logging";
import { inSpan } from "@conduit/tracing";
import { statusOf, type Failure } from "../core/outcomes.js";
import type { RunStore } from "../core/ports.js";
import { runLoop, type LoopDeps, type RunPlan } from "../core/run-loop.js";
import type { RunChannel } from "./run-channel.js";

/**
 * Drives one run, created RUNNING, to its terminal status and ends its channel with the terminal
 * events: `error` (failed runs), exactly one `stop`, then `usage`. Never throws: whatever fails,
 * every attached stream gets its ending.
 */
export function executeRun(deps: LoopDeps & { log: Logger }, plan: RunPlan, channel: RunChannel, signal: AbortSignal): Promise<Run> {
  // One trace per run: steps, model calls, tools and the other services' calls are its children.
  return inSpan("run", { "conduit.run_id": plan.run.id, "conduit.agent_id": plan.run.agentId }, () => execute(deps, plan, channel, signal));
}

async function execute(deps: LoopDeps & { log: Logger }, plan: RunPlan, channel: RunChannel, signal: AbortSignal): Promise<Run> {
  const persist = () => ({ signal: deps.persistSignal() });
  channel.append({ payload: { $case: "runStarted", value: { run: plan.run } } });
  // The run was created RUNNING (RunHost starts it so): no transition before the first model call.
  const end = await runLoop(deps, plan, (piece) => channel.append(piece), signal);
  const { failure, stopReason } = end.state;
  // Usually the last step's commit already ended the run (and released its lock).
  const final = end.ended
    ? end.run
    : await finish(deps.store, { ...end.run, id: plan.run.id }, stopReason, failure, end.ttftMs, persist, deps.log);
  if (failure) channel.append({ payload: { $case: "error", value: failure.error } });
  channel.append({ payload: { $case: "stop", value: { stopReason } } });
  channel.append({ payload: { $case: "usage", value: final.usage ?? emptyUsage() } });
  channel.end();
  return final;
}

/** The terminal transition; it also releases the run lock, before the caller sees `stop`. */
async function finish(
  store: RunStore,
  run: Run,
  stopReason: StopReason,
  failure: Failure | undefined,
  ttftMs: number | undefined,
  persist: () => { signal: AbortSignal },
  log: Logger,
): Promise<Run> {
  try {
    const res = await store.transitionRun(
      {
        runId: run.id,
        from: RunStatus.RUN_STATUS_RUNNING,
        to: statusOf(stopReason),
        stopReason,
        ...(failure ? { error: failure.error } : {}),
        ...(ttftMs === undefined ? {} : { ttftMs }),
      },
      persist(),
    );
    // A retried transition whose first try landed loses to itself: that is the run as wanted.
    if (!res.won && res.run.status !== statusOf(stopReason)) log.warn({ runId: run.id, status: res.run.status }, "run changed under its owner before it ended");
    return res.run;
  } catch (err) {
    log.error({ err, runId: run.id }, "run end could not be saved");
    return run;
  }
}

const emptyUsage = (): Usage => ({ stepCount: 0 });
