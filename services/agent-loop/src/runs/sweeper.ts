import type { Bus } from "@conduit/bus";
import type { Logger } from "@conduit/logging";
import { ErrorType, RunStatus, StopReason, type Run, type RunEvent } from "@conduit/proto/agent/v1";
import type { StoreConnection } from "../adapters/store-client.js";
import { isTerminal, type RunEventLog } from "./event-log.js";
import { endedSubject } from "./run-subjects.js";

const OWNER_LOST = {
  errorType: ErrorType.ERROR_TYPE_OWNER_LOST,
  message: "the replica running this run stopped renewing its lease",
  detail: "",
};

/**
 * Fails runs whose owner stopped renewing its lease (a replica that died), on every replica:
 * the store's compare-and-set lets exactly one sweeper win each run. The winner appends the
 * terminal events to the run's log so every follower ends, and announces the end.
 */
export class Sweeper {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly stopping = new AbortController();
  private sweeping = false;

  constructor(private readonly deps: { store: StoreConnection; eventLog: RunEventLog; bus: Bus; log: Logger; intervalMs: number }) {
    this.timer = setInterval(() => void this.sweep(), deps.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopping.abort();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    const signal = this.stopping.signal;
    try {
      const store = this.deps.store.global();
      for (const run of await store.expiredLeases(100, { signal })) {
        const { won, run: failed } = await store.transitionRun(
          { runId: run.id, from: run.status, to: RunStatus.RUN_STATUS_FAILED, stopReason: StopReason.STOP_REASON_ERROR, error: OWNER_LOST, onlyIfLeaseExpired: true },
          { signal },
        );
        if (!won) continue;
        this.deps.log.warn({ runId: run.id, owner: run.owner }, "failed a run whose owner was lost");
        if (failed.background) await this.endLog(failed, signal);
        this.deps.bus.publish(endedSubject(run.id), new Uint8Array());
      }
    } catch (err) {
      if (!signal.aborted) this.deps.log.warn({ err }, "sweep failed; retrying on the next tick");
    } finally {
      this.sweeping = false;
    }
  }

  /** Appends error, stop and usage after the last event the lost owner logged. */
  private async endLog(run: Run, signal: AbortSignal): Promise<void> {
    const last = await this.deps.eventLog.last(run.id, signal);
    if (last && isTerminal(last)) return;
    let seq = Number(last?.seqId ?? 0);
    const event = (payload: RunEvent["payload"]): RunEvent => ({ runId: run.id, seqId: String(++seq), createdAt: new Date(), payload });
    if (seq === 0) this.deps.eventLog.append(event({ $case: "runStarted", value: { run } }));
    this.deps.eventLog.append(event({ $case: "error", value: OWNER_LOST }));
    this.deps.eventLog.append(event({ $case: "stop", value: { stopReason: StopReason.STOP_REASON_ERROR } }));
    this.deps.eventLog.append(event({ $case: "usage", value: run.usage ?? { stepCount: 0 } }));
  }
}
