import type { RunEvent } from "@conduit/proto/agent/v1";
import { EventList } from "./event-list.js";

export type EventBody = Omit<RunEvent, "runId" | "seqId" | "createdAt">;

/**
 * The live events of one run: numbered from 1 without gaps, kept while the run is active so
 * any number of callers can attach from any point, copied to `tee` (the event log of a
 * background run), and a ping after each silence of `pingIntervalMs`.
 */
export class RunChannel {
  private readonly list = new EventList();
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAt = Date.now();

  constructor(
    readonly runId: string,
    private readonly pingIntervalMs: number,
    private readonly tee?: (event: RunEvent) => void,
  ) {
    this.armPing();
  }

  get isEmpty(): boolean {
    return this.list.size === 0;
  }

  get isEnded(): boolean {
    return this.list.isEnded;
  }

  append(body: EventBody): void {
    if (this.list.isEnded) return;
    this.lastAt = Date.now();
    const event: RunEvent = { ...body, runId: this.runId, seqId: String(this.list.size + 1), createdAt: new Date(this.lastAt) };
    this.list.push(event);
    this.tee?.(event);
  }

  /** No event comes after this. */
  end(): void {
    clearTimeout(this.pingTimer);
    this.list.end();
  }

  /** Events with seq_id > `after`, then live ones until the end; stops early when `signal` aborts. */
  read(after: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
    return this.list.read(after, signal);
  }

  /** One timer per run, not one per event: when it fires early it sleeps for the rest of the silence. */
  private armPing(delay = this.pingIntervalMs): void {
    this.pingTimer = setTimeout(() => {
      const silence = Date.now() - this.lastAt;
      if (silence >= this.pingIntervalMs) this.append({ payload: { $case: "ping", value: {} } });
      if (!this.isEnded) this.armPing(silence >= this.pingIntervalMs ? this.pingIntervalMs : this.pingIntervalMs - silence);
    }, delay);
    this.pingTimer.unref?.();
  }
}
