import { loadEnv, type ServiceEnv } from "@conduit/config";
import { createLogger, type Logger } from "@conduit/logging";
import { serveMetrics } from "@conduit/metrics";
import { startTracing } from "@conduit/tracing";
import type { z } from "zod";
import type { GrpcHost } from "./host.js";

export interface ServiceParts {
  readonly server: GrpcHost;
  /** Releases what the service opened (database, bus), after the server has closed. */
  close?(): Promise<void>;
}

export interface ServiceSpec<S extends z.ZodObject> {
  name: string;
  env: S;
  start(env: z.infer<S>, log: Logger): Promise<ServiceParts>;
  /** It calls other Conduit services, so its callers' trace context must follow its async work. */
  callsServices?: boolean;
}

/**
 * A service process: reads the env once, starts, logs `serving` with the bound address, and on
 * SIGTERM or SIGINT closes the server (health NOT_SERVING, streams end, calls drain) and then
 * its dependencies, and exits 0. A second signal exits at once. A failure to start (bad config,
 * port in use, database unreachable) prints one clear line and exits 1.
 */
export async function runService<S extends z.ZodObject>(spec: ServiceSpec<S>): Promise<void> {
  let log: Logger | undefined;
  let parts: ServiceParts;
  let env: z.infer<S> & ServiceEnv;
  try {
    env = loadEnv(spec.env) as z.infer<S> & ServiceEnv;
    log = createLogger({ service: spec.name, level: env.CONDUIT_LOG_LEVEL });
    startTracing(env.CONDUIT_TRACES, log, { propagates: spec.callsServices ?? false });
    parts = await spec.start(env, log);
    if (env.CONDUIT_METRICS_PORT !== undefined) {
      const metrics = await serveMetrics(env.CONDUIT_HOST, env.CONDUIT_METRICS_PORT);
      log.info({ address: metrics.address }, "metrics serving");
    }
    const address = await parts.server.listen(env.CONDUIT_HOST, env.CONDUIT_PORT);
    log.info({ address }, "serving");
  } catch (err) {
    log?.error({ err }, "failed to start");
    process.stderr.write(`${spec.name}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const running = { log, parts, graceMs: env.CONDUIT_SHUTDOWN_GRACE_MS };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      running.log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    running.log.info({ signal }, "shutting down");
    stop(running).then(
      () => {
        running.log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        running.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

async function stop({ parts, graceMs }: { parts: ServiceParts; graceMs: number }): Promise<void> {
  await parts.server.close(graceMs);
  await parts.close?.();
}
