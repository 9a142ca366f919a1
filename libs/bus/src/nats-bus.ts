import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Bus, BusSubscription } from "./bus.js";

export interface NatsBusOptions {
  url: string;
  name: string;
  /** Called on every connection status change (disconnect, reconnect), e.g. to refresh health. */
  onStatus?: (status: string) => void;
}

/** The distributed-mode bus over NATS core. Reconnects forever; health reflects the link. */
export async function connectNatsBus(options: NatsBusOptions): Promise<Bus> {
  const nc = await connect({
    servers: options.url,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  let connected = true;
  void watchStatus(nc, (type) => {
    if (type === "disconnect") connected = false;
    if (type === "reconnect") connected = true;
    options.onStatus?.(type);
  });

  return {
    kind: "nats",
    publish: (subject, data) => nc.publish(subject, data),
    subscribe(subject, onMessage): BusSubscription {
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (!err) onMessage({ subject: msg.subject, data: msg.data });
        },
      });
      return { unsubscribe: () => sub.unsubscribe() };
    },
    flush: (signal) => untilAborted(nc.flush(), signal),
    async check(signal) {
      if (nc.isClosed() || !connected) throw new Error("not connected to NATS");
      await untilAborted(nc.flush(), signal);
    },
    async close() {
      if (nc.isClosed()) return;
      // Draining needs the server; with the server gone there is nothing left to deliver.
      if (connected) await nc.drain();
      else await nc.close();
    },
  };
}

async function watchStatus(nc: NatsConnection, onChange: (type: string) => void): Promise<void> {
  for await (const status of nc.status()) onChange(status.type);
}

function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
