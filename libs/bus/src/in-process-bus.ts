import { subjectMatches, type Bus, type BusMessage, type BusSubscription } from "./bus.js";

type Listener = { pattern: string; onMessage: (message: BusMessage) => void };

/** The embedded-mode bus: one process, delivery on a later microtask like a network bus. */
export function createInProcessBus(): Bus {
  const listeners = new Set<Listener>();
  let closed = false;
  let inFlight = Promise.resolve();

  return {
    kind: "in-process",
    publish(subject, data) {
      if (closed) throw new Error("bus is closed");
      const message = { subject, data };
      inFlight = inFlight.then(() => {
        for (const l of [...listeners]) if (subjectMatches(l.pattern, subject)) l.onMessage(message);
      });
    },
    subscribe(pattern, onMessage): BusSubscription {
      const listener = { pattern, onMessage };
      listeners.add(listener);
      return { unsubscribe: () => listeners.delete(listener) };
    },
    flush: () => inFlight,
    async check() {
      if (closed) throw new Error("bus is closed");
    },
    async close() {
      closed = true;
      await inFlight;
      listeners.clear();
    },
  };
}
