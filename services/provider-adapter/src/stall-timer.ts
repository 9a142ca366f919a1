/**
 * Fires when the provider has been silent for `ms` while we wait on it. Time the consumer spends
 * with an event (a slow gRPC reader) is not the provider's silence, so waiting is paused then.
 * An event only notes the time: the timer is re-armed when it fires early, not on every event.
 */
export class StallTimer {
  private waiting = true;
  private lastHeard = Date.now();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly ms: number,
    private readonly onStall: () => void,
  ) {
    this.timer = setTimeout(this.check, ms);
  }

  /** An event arrived and is being handed on. */
  pause(): void {
    this.waiting = false;
  }

  /** Waiting on the provider again: its silence counts from now. */
  resume(): void {
    this.waiting = true;
    this.lastHeard = Date.now();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private readonly check = (): void => {
    const silent = Date.now() - this.lastHeard;
    if (this.waiting && silent >= this.ms) return this.onStall();
    this.timer = setTimeout(this.check, this.waiting ? this.ms - silent : this.ms);
  };
}
