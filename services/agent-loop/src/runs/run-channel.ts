import type { RunEvent } from "@conduit/proto/agent/v1";

export type EventBody = Omit<RunEvent, "runId" | "seqId" | "createdAt">;

/**
 * The live events of one run: numbered from 1 without gaps, kept while the run is active so
 * any number of callers can attach from any point, and a ping after each silence of
 * `pingIntervalMs`. The run never waits for a reader: each reader has its own cursor.
 */
export class RunChannel {
  private readonly events: RunEvent[] = [];
  private readonly wakers = new Set<() => void>();
  private ended = false;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAt = Date.now();

  constructor(
    readonly runId: string,
    private readonly pingIntervalMs: number,
  ) {
    this.armPing();
  }

  get isEmpty(): boolean {
    return this.events.length === 0;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  append(body: EventBody): void {
    if (this.ended) return;
    this.lastAt = Date.now();
    this.events.push({ ...body, runId: this.runId, seqId: String(this.events.length + 1), createdAt: new Date(this.lastAt) });
    this.wake();
  }

  /** No event comes after this; readers finish what is left and stop. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.pingTimer);
    this.wake();
  }

  /** Events with seq_id > `after`, then live ones until the end; stops early when `signal` aborts. */
  async *read(after: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
    let next = after;
    while (!signal.aborted) {
      while (next < this.events.length) yield this.events[next++]!;
      if (this.ended) return;
      await this.changed(signal);
    }
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wakers.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.wakers.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  /** One timer per run, not one per event: when it fires early it sleeps for the rest of the silence. */
  private armPing(delay = this.pingIntervalMs): void {
    this.pingTimer = setTimeout(() => {
      const silence = Date.now() - this.lastAt;
      if (silence >= this.pingIntervalMs) this.append({ payload: { $case: "ping", value: {} } });
      if (!this.ended) this.armPing(silence >= this.pingIntervalMs ? this.pingIntervalMs : this.pingIntervalMs - silence);
    }, delay);
    this.pingTimer.unref?.();
  }
}
