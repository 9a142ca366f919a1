import type { Logger } from "@conduit/logging";
import type { StoreConnection } from "../adapters/store-client.js";
import type { RunHost } from "./run-host.js";

/**
 * Renews the owner lease of every run this replica executes, three times per lease. A run
 * whose lease was taken (a sweeper failed it while this replica was unreachable) is cancelled
 * here: someone else already ended it.
 */
export class LeaseRenewal {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly stopping = new AbortController();
  private renewing = false;

  constructor(
    private readonly deps: { store: StoreConnection; runs: RunHost; log: Logger; replicaId: string; leaseTtlMs: number },
  ) {
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
    try {
      const renewed = await this.deps.store.global().renewLease(runId, this.deps.replicaId, this.deps.leaseTtlMs, { signal: this.stopping.signal });
      if (!renewed && this.deps.runs.local(runId)) {
        this.deps.log.warn({ runId }, "lost the lease of a running run; cancelling it here");
        this.deps.runs.local(runId)?.cancel();
      }
    } catch (err) {
      if (!this.stopping.signal.aborted) this.deps.log.warn({ err, runId }, "lease renewal failed; retrying");
    }
  }
}

const RENEWALS_AT_ONCE = 8;
