import type { Logger } from "@conduit/logging";
import { ErrorType, type Run } from "@conduit/proto/agent/v1";
import type { Signalled } from "../core/ports.js";

/** What renewal asks of the store. */
export interface LeaseStore {
  /** Extends the run's lease when this owner holds it and the run has not ended; the run as stored either way. */
  renewLease(runId: string, owner: string, ttlMs: number, opts: Signalled): Promise<{ renewed: boolean; run: Run }>;
}

/** The runs this replica executes. */
export interface LeasedRuns {
  runIds(): string[];
  local(runId: string): { cancel(): void } | undefined;
}

/**
 * Renews the owner lease of every run this replica executes, three times per lease. A run
 * whose lease was taken (a sweeper failed it while this replica was unreachable) is cancelled
 * here: someone else already ended it. A run that ended here is left alone: a renewal that
 * reached the store after the run's last commit finds it ended while it is still finishing.
 */
export class LeaseRenewal {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly stopping = new AbortController();
  private renewing = false;

  constructor(private readonly deps: { store: LeaseStore; runs: LeasedRuns; log: Logger; replicaId: string; leaseTtlMs: number }) {
    this.timer = setInterval(() => void this.renewAll(), Math.max(250, Math.floor(deps.leaseTtlMs / 3)));
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopping.abort();
  }

  /** A few renewals at a time: a burst of one call per run would starve the store's pool. */
  private async renewAll(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const queue = this.deps.runs.runIds();
    const worker = async () => {
      for (let runId = queue.pop(); runId !== undefined; runId = queue.pop()) await this.renew(runId);
    };
    await Promise.all(Array.from({ length: RENEWALS_AT_ONCE }, worker)).finally(() => (this.renewing = false));
  }

  private async renew(runId: string): Promise<void> {
    const { replicaId, leaseTtlMs, runs, log } = this.deps;
    try {
      const { renewed, run } = await this.deps.store.renewLease(runId, replicaId, leaseTtlMs, { signal: this.stopping.signal });
      const local = runs.local(runId);
      if (renewed || !local || !takenFrom(run, replicaId)) return;
      log.warn({ runId, owner: run.owner }, "lost the lease of a running run; cancelling it here");
      local.cancel();
    } catch (err) {
      if (!this.stopping.signal.aborted) log.warn({ err, runId }, "lease renewal failed; retrying");
    }
  }
}

/** A run another replica owns now, or one a sweeper failed because this replica's lease ran out. */
function takenFrom(run: Run, replicaId: string): boolean {
  return run.owner !== replicaId || run.error?.errorType === ErrorType.ERROR_TYPE_OWNER_LOST;
}

const RENEWALS_AT_ONCE = 8;
