// Listens on NATS to the run subjects the replicas use, to split a cancel's time into its hops:
// when a cancel request was on the bus (B's part done) and when the owner announced the run's end.
import { performance } from "node:perf_hooks";
import { connect, type NatsConnection } from "@nats-io/transport-node";

export interface BusTap {
  /** performance.now() when `conduit.run.<id>.<what>` reached this process; undefined if it did not (yet). */
  seen(runId: string, what: "cancel" | "ended"): number | undefined;
  /** Waits until every message the server sent before now was handled. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function startBusTap(natsUrl: string): Promise<BusTap> {
  const nc: NatsConnection = await connect({ servers: natsUrl, name: "bench-tap" });
  const seen = new Map<string, number>();
  for (const what of ["cancel", "ended"]) {
    nc.subscribe(`conduit.run.*.${what}`, {
      callback: (err, msg) => {
        if (!err) seen.set(msg.subject, performance.now());
      },
    });
  }
  await nc.flush();
  return {
    seen: (runId, what) => seen.get(`conduit.run.${runId}.${what}`),
    sync: () => nc.flush(),
    close: () => nc.close(),
  };
}
