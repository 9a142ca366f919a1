/**
 * Fires when the provider has been silent for `ms` while we wait on it. Time the consumer spends
 * with an event (a slow gRPC reader) is not the provider's silence, so waiting is paused then.
 */
export class StallTimer {
  private waiting = true;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number, onStall: () => void) {
    this.timer = setTimeout(() => {
      if (this.waiting) onStall();
    }, ms);
  }

  /** An event arrived and is being handed on. */
  pause(): void {
    this.waiting = false;
  }

  /** Waiting on the provider again: its silence counts from now. */
  resume(): void {
    this.waiting = true;
    // Re-arms the timer even if it fired while paused.
    this.timer.refresh();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
