import type { RunEvent } from "@conduit/proto/agent/v1";
import { payloadCaseOf, type StreamedEvent } from "../events/encoded-event.js";

/**
 * The event log of background runs, readable from any replica: JetStream in distributed mode,
 * memory in embedded mode. Appends never make the run wait.
 */
export interface RunEventLog {
  /** Appends in seq_id order; failures are logged, never thrown into the run. */
  append(event: RunEvent): void;
  /**
   * The run's events with seq_id > `after`, then live ones until its `usage` event;
   * undefined when nothing of the run is kept (never logged, or expired). A log may hand them
   * over still encoded, as they were logged.
   */
  read(runId: string, after: number, signal: AbortSignal): Promise<AsyncIterable<StreamedEvent> | undefined>;
  /** The last event kept for the run, if any. */
  last(runId: string, signal: AbortSignal): Promise<RunEvent | undefined>;
  close(): Promise<void>;
}

/** The run's last event: after it, a reader stops. */
export const isTerminal = (event: StreamedEvent) => payloadCaseOf(event) === "usage";
