import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";
import type { CallContext } from "./call-context.js";
import { ServiceError, Status } from "./errors.js";

export type ServingStatus = "SERVING" | "NOT_SERVING";
export type WatchedStatus = ServingStatus | "SERVICE_UNKNOWN";

let loaded: ServiceClientConstructor | undefined;

/** grpc.health.v1.Health, loaded from the standard health.proto (enums as strings). */
export function healthServiceConstructor(): ServiceClientConstructor {
  loaded ??= (() => {
    const def = loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
    const pkg = loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: ServiceClientConstructor } } } };
    return pkg.grpc.health.v1.Health;
  })();
  return loaded;
}

export const healthServiceDefinition = (): ServiceDefinition => healthServiceConstructor().service;

/** What the Check and Watch handlers read: the status per service name and its changes. */
export interface StatusSource {
  statusOf(service: string): ServingStatus | undefined;
  onChange(listener: () => void): () => void;
}

export async function check(source: StatusSource, service: string): Promise<{ status: ServingStatus }> {
  const status = source.statusOf(service);
  if (!status) throw new ServiceError(Status.NOT_FOUND, "SERVICE_UNKNOWN", `unknown service "${service}"`);
  return { status };
}

/**
 * The current status, then every change, until the call ends. Unlike the stock implementation
 * it ends with the server (shutdown signal), so open Watch streams never hold up a drain.
 */
export async function* watch(source: StatusSource, service: string, ctx: CallContext): AsyncGenerator<{ status: WatchedStatus }> {
  let wake: () => void = () => {};
  const off = source.onChange(() => wake());
  const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
  try {
    let last: WatchedStatus | undefined;
    for (;;) {
      // Arm the wake-up before reading, so a change while the caller is slow is not missed.
      const changed = new Promise<void>((resolve) => (wake = resolve));
      const status = source.statusOf(service) ?? "SERVICE_UNKNOWN";
      if (status !== last) {
        last = status;
        yield { status };
        continue;
      }
      // Checked after the read so the last status (NOT_SERVING at shutdown) still goes out.
      if (ctx.signal.aborted) return;
      await Promise.race([changed, aborted]);
    }
  } finally {
    off();
  }
}
