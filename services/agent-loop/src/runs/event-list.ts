import type { RunEvent } from "@conduit/proto/agent/v1";

/**
 * The events of one run in seq_id order, readable by any number of readers from any point:
 * each reader has its own cursor, so the writer never waits for a reader.
 */
export class EventList {
  private readonly events: RunEvent[] = [];
  private readonly wakers = new Set<() => void>();
  private ended = false;

  get isEnded(): boolean {
    return this.ended;
  }

  get size(): number {
    return this.events.length;
  }

  get last(): RunEvent | undefined {
    return this.events.at(-1);
  }

  push(event: RunEvent): void {
    if (this.ended) return;
    this.events.push(event);
    this.wake();
  }

  /** No event comes after this; readers finish what is left and stop. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** Events with seq_id > `after`, then live ones until the end; stops early when `signal` aborts. */
  async *read(after: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
    let next = this.startIndex(after);
    while (!signal.aborted) {
      while (next < this.events.length) yield this.events[next++]!;
      if (this.ended) return;
      await this.changed(signal);
    }
  }

  /** seq_ids start at 1 without gaps, but a list may start later (a log that keeps a tail). */
  private startIndex(after: number): number {
    const first = Number(this.events[0]?.seqId ?? 1);
    return Math.max(0, after - first + 1);
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
}
