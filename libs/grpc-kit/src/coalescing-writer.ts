import type { ServerWritableStream } from "@grpc/grpc-js";

/** Folds `next` into `queued` when they can travel as one item; undefined when they cannot. */
export type Merge<T> = (queued: T, next: T) => T | undefined;

/** Items waiting for a blocked transport before the source is paused. */
const MAX_QUEUED = 256;

interface Queued<T> {
  item: T;
  /** The event-loop turn it was produced in. */
  turn: number;
}

/**
 * Writes a server stream so that items produced together — in one turn of the event loop, as
 * the many events of one network read are — go out folded by `merge` where it can. The first
 * item of a turn goes out at once, so a lone item is never delayed; the items after it in the
 * same turn go out, folded, when the turn ends. Items of different turns are never folded: while
 * the transport is blocked (a slow reader) they wait as they are, and the source is paused once
 * MAX_QUEUED wait.
 */
export class CoalescingWriter<T> {
  private queue: Queued<T>[] = [];
  private turn = 0;
  private turnOpen = false;
  private blocked = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly call: ServerWritableStream<unknown, T>,
    private readonly merge: Merge<T>,
    private readonly signal: AbortSignal,
  ) {}

  /** Queues an item; the promise, when there is one, resolves once the queue has room again. */
  push(item: T): Promise<void> | undefined {
    const sameTurn = this.turnOpen;
    if (!sameTurn) {
      this.turnOpen = true;
      setImmediate(this.endTurn);
      if (!this.blocked && this.queue.length === 0) {
        if (!this.call.cancelled && !this.call.write(item)) this.block();
        return undefined;
      }
    }
    const last = this.queue.length > 0 ? this.queue[this.queue.length - 1]! : undefined;
    const merged = sameTurn && last?.turn === this.turn ? this.merge(last.item, item) : undefined;
    if (merged === undefined) this.queue.push({ item, turn: this.turn });
    else last!.item = merged;
    return this.queue.length >= MAX_QUEUED ? this.until(() => this.queue.length < MAX_QUEUED) : undefined;
  }

  /** Resolves once every queued item has been handed to the transport (or the call ended). */
  drain(): Promise<void> {
    if (!this.blocked) this.flush();
    return this.until(() => this.queue.length === 0);
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
    this.turn++;
    if (!this.blocked) this.flush();
  };

  private flush(): void {
    const entries = this.queue;
    let i = 0;
    while (i < entries.length && !this.call.cancelled) {
      if (!this.call.write(entries[i++]!.item)) {
        this.block();
        break;
      }
    }
    this.queue = this.call.cancelled ? [] : entries.slice(i);
    this.waiter?.();
  }

  private block(): void {
    this.blocked = true;
    this.call.once("drain", this.unblock);
  }

  private readonly unblock = (): void => {
    this.blocked = false;
    this.flush();
  };

  private until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done() && !this.call.cancelled && !this.signal.aborted) return;
        this.waiter = undefined;
        this.signal.removeEventListener("abort", check);
        resolve();
      };
      this.waiter = check;
      this.signal.addEventListener("abort", check, { once: true });
      check();
    });
  }
}
