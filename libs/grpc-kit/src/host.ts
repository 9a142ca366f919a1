import { setMaxListeners } from "node:events";
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { Logger } from "@conduit/logging";
import type { ServerRuntime } from "./call-context.js";
import { notImplemented, notImplementedStream } from "./handlers.js";
import { HealthReporter, type HealthProbe } from "./health.js";
import { addReflection } from "./reflection.js";

export interface GrpcHostOptions {
  log: Logger;
  /** Fully qualified names of the services this host serves (for health and reflection). */
  services: readonly string[];
  /** Compiled FileDescriptorSet of the contract, for reflection. */
  descriptorSet: Uint8Array;
  probes?: readonly HealthProbe[];
  healthIntervalMs: number;
}

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Channel options for the services' own clients, and part of every server's. Channelz (call
 * statistics for grpc-js's introspection service, which no service exposes) costs a tracking
 * wrapper on every call.
 */
export const CLIENT_OPTIONS = { "grpc.enable_channelz": 0 } as const;

/**
 * A grpc-js server with health, reflection and a graceful close: health NOT_SERVING, then the
 * shutdown signal (handlers end their streams with terminal events), then wait for open calls
 * up to the grace period, then force.
 */
export class GrpcHost {
  readonly server = new Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    ...CLIENT_OPTIONS,
  });
  readonly health: HealthReporter;
  readonly runtime: ServerRuntime;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: GrpcHostOptions) {
    // Every open call listens to the shutdown signal: thousands of streams are normal.
    setMaxListeners(0, this.shutdown.signal);
    this.runtime = { log: options.log, shutdown: this.shutdown.signal };
    this.health = new HealthReporter(options.services, options.probes ?? [], {
      intervalMs: options.healthIntervalMs,
      log: options.log,
    });
    this.health.addToServer(this.server, this.runtime);
    addReflection(this.server, options.descriptorSet, options.services);
  }

  /**
   * Adds a service; every RPC without a handler answers UNIMPLEMENTED (reason NOT_IMPLEMENTED)
   * through the same error path as the rest.
   */
  serve<I extends UntypedServiceImplementation>(definition: ServiceDefinition, handlers: Partial<I>): void {
    const impl: UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(definition)) {
      const name = method.path.replace(/^\//, "");
      impl[key] =
        handlers[key] ??
        (method.responseStream ? notImplementedStream(this.runtime, name) : notImplemented(this.runtime, name));
    }
    this.server.addService(definition, impl);
  }

  /** Binds, then runs the first health round; resolves with the bound `host:port`. */
  async listen(host: string, port: number): Promise<string> {
    const bound = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    await this.health.start();
    return `${host.includes(":") ? `[${host}]` : host}:${bound}`;
  }

  async close(graceMs: number): Promise<void> {
    this.health.stopping();
    this.shutdown.abort();
    const graceful = new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<"forced">((resolve) => {
      timer = setTimeout(() => resolve("forced"), graceMs);
    });
    const outcome = await Promise.race([graceful, forced]);
    clearTimeout(timer);
    if (outcome === "forced") {
      this.options.log.warn({ graceMs }, "open calls outlived the grace period; closing them");
      this.server.forceShutdown();
    }
  }
}
