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

  private async renewAll(): Promise<void> {
    const store = this.deps.store.global();
    await Promise.all(
      this.deps.runs.runIds().map(async (runId) => {
        try {
          const renewed = await store.renewLease(runId, this.deps.replicaId, this.deps.leaseTtlMs, { signal: this.stopping.signal });
          if (!renewed && this.deps.runs.local(runId)) {
            this.deps.log.warn({ runId }, "lost the lease of a running run; cancelling it here");
            this.deps.runs.local(runId)?.cancel();
          }
        } catch (err) {
          if (!this.stopping.signal.aborted) this.deps.log.warn({ err, runId }, "lease renewal failed; retrying");
        }
      }),
    );
  }
}
