import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "@conduit/logging";
import { RunEvent } from "@conduit/proto/agent/v1";
import { EncodedRunEvent } from "../events/encoded-event.js";
import { isTerminal, type RunEventLog } from "../runs/event-log.js";

export const RUN_EVENTS_STREAM = "CONDUIT_RUN_EVENTS";
export const eventsSubject = (runId: string) => `conduit.run.${runId}.events`;

/**
 * Distributed mode's event log: one JetStream stream, one subject per run, message id
 * `<run_id>:<seq_id>` so a re-published event is stored once. Publishes are pipelined: the run
 * never waits for an acknowledgement; they are awaited only when the log closes.
 */
export class JetStreamEventLog implements RunEventLog {
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly log: Logger,
  ) {}

  static async open(url: string, maxAgeMs: number, log: Logger): Promise<JetStreamEventLog> {
    // Without async traces the client does not build an Error (a stack trace) for every publish.
    const nc = await connect({ servers: url, name: "agent-loop-events", maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    const config = {
      name: RUN_EVENTS_STREAM,
      subjects: ["conduit.run.*.events"],
      max_age: maxAgeMs * 1_000_000,
      duplicate_window: Math.min(maxAgeMs, 120_000) * 1_000_000,
    };
    // Every replica declares the stream; the first creates it, the others bring its settings up to date.
    const existing = await jsm.streams.info(RUN_EVENTS_STREAM).catch(() => undefined);
    if (existing) await jsm.streams.update(RUN_EVENTS_STREAM, config);
    else await jsm.streams.add(config);
    return new JetStreamEventLog(nc, jetstream(nc), jsm, log);
  }

  append(event: RunEvent): void {
    const publishing = this.js
      .publish(eventsSubject(event.runId), RunEvent.encode(event).finish(), { msgID: `${event.runId}:${event.seqId}` })
      .catch((err: unknown) => this.log.error({ err, runId: event.runId, seqId: event.seqId }, "run event not logged"))
      .finally(() => this.inFlight.delete(publishing));
    this.inFlight.add(publishing);
  }

  async read(runId: string, after: number, signal: AbortSignal): Promise<AsyncIterable<EncodedRunEvent>> {
    const consumer = await this.js.consumers.get(RUN_EVENTS_STREAM, { filter_subjects: eventsSubject(runId), deliver_policy: DeliverPolicy.All });
    // Large batches: a replay of thousands of events is a few round trips, not one per hundred.
    const messages = await consumer.consume({ max_messages: 1000 });
    const stop = () => messages.stop();
    signal.addEventListener("abort", stop, { once: true });
    return (async function* () {
      try {
        for await (const m of messages) {
          // Passed on as logged: a replay of thousands of events is not decoded and encoded again.
          const event = EncodedRunEvent.of(m.data);
          if (event.seq > after) yield event;
          if (isTerminal(event)) return;
        }
      } finally {
        signal.removeEventListener("abort", stop);
        messages.stop();
      }
    })();
  }

  async last(runId: string): Promise<RunEvent | undefined> {
    const stored = await this.jsm.streams.getMessage(RUN_EVENTS_STREAM, { last_by_subj: eventsSubject(runId) });
    return stored ? RunEvent.decode(stored.data) : undefined;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
