import type { RunEvent } from "@conduit/proto/agent/v1";
import { EventList } from "./event-list.js";
import { isTerminal, type RunEventLog } from "./event-log.js";

/** Embedded mode's event log: one replica, kept in memory for `maxAgeMs` after each run ends. */
export class MemoryEventLog implements RunEventLog {
  private readonly runs = new Map<string, EventList>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly maxAgeMs: number) {}

  append(event: RunEvent): void {
    let list = this.runs.get(event.runId);
    if (!list) {
      list = new EventList();
      this.runs.set(event.runId, list);
    }
    list.push(event);
    if (isTerminal(event)) {
      list.end();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.runs.delete(event.runId);
      }, this.maxAgeMs);
      timer.unref?.();
      this.timers.add(timer);
    }
  }

  async read(runId: string, after: number, signal: AbortSignal): Promise<AsyncIterable<RunEvent> | undefined> {
    return this.runs.get(runId)?.read(after, signal);
  }

  async last(runId: string): Promise<RunEvent | undefined> {
    return this.runs.get(runId)?.last;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
