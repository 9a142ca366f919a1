import type { Server } from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";
import type { Logger } from "@conduit/logging";

/** A dependency the service needs to do its job (database, bus). Throws when it is not usable. */
export interface HealthProbe {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

type HealthState =
  | { kind: "starting" }
  | { kind: "serving" }
  | { kind: "degraded"; failing: string[] }
  | { kind: "stopping" };

/**
 * Serves grpc.health.v1 with a real status: SERVING only once started and while every probe
 * passes; NOT_SERVING while starting, while a probe fails, and from the start of shutdown on.
 * Probes run every `intervalMs`; `refresh()` runs them now (for push signals like a bus
 * disconnect). The status covers "" (the whole server) and each named service.
 */
export class HealthReporter {
  private readonly impl: HealthImplementation;
  private state: HealthState = { kind: "starting" };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly services: readonly string[],
    private readonly probes: readonly HealthProbe[],
    private readonly options: { intervalMs: number; log: Logger },
  ) {
    this.impl = new HealthImplementation(Object.fromEntries(["", ...services].map((s) => [s, "NOT_SERVING"])));
  }

  addToServer(server: Server): void {
    this.impl.addToServer(server);
  }

  get current(): HealthState {
    return this.state;
  }

  /** Runs the probes now and every interval after. Resolves after the first round. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Runs every probe once (concurrent callers share one round) and publishes the result. */
  refresh(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** NOT_SERVING from now on: load balancers stop sending new calls. */
  stopping(): void {
    clearInterval(this.timer);
    this.set({ kind: "stopping" });
  }

  private async round(): Promise<void> {
    const signal = AbortSignal.timeout(this.options.intervalMs);
    const results = await Promise.allSettled(this.probes.map((p) => p.check(signal)));
    if (this.state.kind === "stopping") return;
    const failing = this.probes.filter((_, i) => results[i]?.status === "rejected").map((p) => p.name);
    this.set(failing.length === 0 ? { kind: "serving" } : { kind: "degraded", failing });
  }

  private set(next: HealthState): void {
    const before = this.state;
    this.state = next;
    if (before.kind !== next.kind) {
      const failing = next.kind === "degraded" ? { failing: next.failing } : {};
      this.options.log[next.kind === "degraded" ? "warn" : "info"](failing, `health: ${next.kind}`);
    }
    const status: ServingStatus = next.kind === "serving" ? "SERVING" : "NOT_SERVING";
    for (const service of ["", ...this.services]) this.impl.setStatus(service, status);
  }
}
