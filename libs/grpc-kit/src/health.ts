import type { Server } from "@grpc/grpc-js";
import type { Logger } from "@conduit/logging";
import type { ServerRuntime } from "./call-context.js";
import { serverStream, unary } from "./handlers.js";
import { check, healthServiceDefinition, watch, type ServingStatus, type StatusSource } from "./health-service.js";

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
export class HealthReporter implements StatusSource {
  private state: HealthState = { kind: "starting" };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly services: readonly string[],
    private readonly probes: readonly HealthProbe[],
    private readonly options: { intervalMs: number; log: Logger },
  ) {}

  addToServer(server: Server, rt: ServerRuntime): void {
    server.addService(healthServiceDefinition(), {
      Check: unary(rt, "grpc.health.v1.Health/Check", (req: { service: string }) => check(this, req.service)),
      Watch: serverStream(rt, "grpc.health.v1.Health/Watch", (req: { service: string }, ctx) => watch(this, req.service, ctx)),
    });
  }

  get current(): HealthState {
    return this.state;
  }

  statusOf(service: string): ServingStatus | undefined {
    if (service !== "" && !this.services.includes(service)) return undefined;
    return this.state.kind === "serving" ? "SERVING" : "NOT_SERVING";
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    if (before.kind === next.kind) return;
    const failing = next.kind === "degraded" ? { failing: next.failing } : {};
    this.options.log[next.kind === "degraded" ? "warn" : "info"](failing, `health: ${next.kind}`);
    for (const listener of this.listeners) listener();
  }
}
