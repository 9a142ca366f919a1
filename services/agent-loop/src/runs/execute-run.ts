import { RunStatus, type Run, type Usage } from "@conduit/proto/agent/v1";
import type { Logger } from "@conduit/logging";
import { internalFailure, statusOf, type Failure } from "../core/outcomes.js";
import type { RunStore } from "../core/ports.js";
import { runLoop, type LoopDeps, type LoopEnd, type RunPlan } from "../core/run-loop.js";
import type { RunChannel } from "./run-channel.js";

/**
 * Drives one run from CREATED to its terminal status and ends its channel with the terminal
 * events: `error` (failed runs), exactly one `stop`, then `usage`. Never throws: whatever fails,
 * every attached stream gets its ending.
 */
export async function executeRun(deps: LoopDeps & { log: Logger }, plan: RunPlan, channel: RunChannel, signal: AbortSignal): Promise<Run> {
  const persist = () => ({ signal: deps.persistSignal() });
  let run = plan.run;
  let end: LoopEnd | undefined;
  try {
    run = (await deps.store.transitionRun({ runId: run.id, from: RunStatus.RUN_STATUS_CREATED, to: RunStatus.RUN_STATUS_RUNNING }, persist())).run;
    channel.append({ payload: { $case: "runStarted", value: { run } } });
    end = await runLoop(deps, { ...plan, run }, (piece) => channel.append(piece), signal);
    run = end.run;
  } catch (err) {
    deps.log.error({ err, runId: run.id }, "run failed before its steps");
    if (channel.isEmpty) channel.append({ payload: { $case: "runStarted", value: { run } } });
  }
  const stopReason = end?.state.stopReason;
  const failure: Failure | undefined = end ? end.state.failure : internalFailure("the run could not start");
  const final = await finish(deps.store, run, end, failure, persist, deps.log);
  if (failure) channel.append({ payload: { $case: "error", value: failure.error } });
  channel.append({ payload: { $case: "stop", value: { stopReason: stopReason ?? failure!.stopReason } } });
  channel.append({ payload: { $case: "usage", value: final.usage ?? emptyUsage() } });
  channel.end();
  return final;
}

/** The terminal transition; it also releases the run lock, before the caller sees `stop`. */
async function finish(
  store: RunStore,
  run: Run,
  end: LoopEnd | undefined,
  failure: Failure | undefined,
  persist: () => { signal: AbortSignal },
  log: Logger,
): Promise<Run> {
  const stopReason = end?.state.stopReason ?? failure!.stopReason;
  try {
    const res = await store.transitionRun(
      {
        runId: run.id,
        from: run.status === RunStatus.RUN_STATUS_CREATED ? RunStatus.RUN_STATUS_CREATED : RunStatus.RUN_STATUS_RUNNING,
        to: statusOf(stopReason),
        stopReason,
        ...(failure ? { error: failure.error } : {}),
        ...(end?.ttftMs === undefined ? {} : { ttftMs: end.ttftMs }),
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
