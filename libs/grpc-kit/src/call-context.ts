import { randomUUID } from "node:crypto";
import type { Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import { withIds, type Logger } from "@conduit/logging";

/** Why a call's signal aborted. Handlers read it from `signal.reason`. */
export type AbortCause = "client_cancelled" | "deadline_exceeded" | "server_shutdown";

export class CallAborted extends Error {
  constructor(override readonly cause: AbortCause) {
    super(`call aborted: ${cause}`);
    this.name = "AbortError";
  }
}

/** What every handler gets besides its request. */
export interface CallContext {
  /** Aborts when the client cancels, the deadline passes, or the server shuts down. */
  readonly signal: AbortSignal;
  readonly metadata: Metadata;
  readonly deadline: Date | undefined;
  readonly requestId: string;
  readonly method: string;
  readonly log: Logger;
}

/** Server-wide state the handlers share. */
export interface ServerRuntime {
  readonly log: Logger;
  /** Aborted once when the server starts shutting down. */
  readonly shutdown: AbortSignal;
}

/** The part of a grpc-js server call that every call kind shares. */
type SurfaceCall = Pick<ServerUnaryCall<unknown, unknown>, "metadata" | "getDeadline" | "once" | "removeListener">;

const REQUEST_ID_KEY = "x-request-id";

/** One AbortSignal per call, from the call's `cancelled` event and server shutdown. */
export function openCallContext(
  call: SurfaceCall,
  method: string,
  rt: ServerRuntime,
): { ctx: CallContext; close: () => void } {
  const controller = new AbortController();
  const deadline = toDate(call.getDeadline());
  const onCancelled = () => {
    const expired = deadline !== undefined && Date.now() >= deadline.getTime();
    controller.abort(new CallAborted(expired ? "deadline_exceeded" : "client_cancelled"));
  };
  const onShutdown = () => controller.abort(new CallAborted("server_shutdown"));
  call.once("cancelled", onCancelled);
  if (rt.shutdown.aborted) onShutdown();
  else rt.shutdown.addEventListener("abort", onShutdown, { once: true });

  const given = call.metadata.get(REQUEST_ID_KEY)[0];
  const requestId = typeof given === "string" && given.length <= 128 ? given : randomUUID();
  const ctx = new ServerCallContext(controller.signal, call.metadata, deadline, requestId, method, rt.log);
  const close = () => {
    call.removeListener("cancelled", onCancelled);
    rt.shutdown.removeEventListener("abort", onShutdown);
  };
  return { ctx, close };
}

/**
 * A class, not an object literal with a `log` getter: V8 gives each such literal a map of its
 * own, maps live in the old generation, and through them the getters' closures kept every call
 * alive across young-generation collections until the next full one. Measured per scavenge:
 * 0.86 against 0.09 MB copied in a bare server, 1.9 against 0.2 MB in message-store.
 */
class ServerCallContext implements CallContext {
  private logger: Logger | undefined;

  constructor(
    readonly signal: AbortSignal,
    readonly metadata: Metadata,
    readonly deadline: Date | undefined,
    readonly requestId: string,
    readonly method: string,
    private readonly serverLog: Logger,
  ) {}

  /** Made on first use: most calls never log, and a child logger per call is not free. */
  get log(): Logger {
    this.logger ??= withIds(this.serverLog, { requestId: this.requestId }).child({ method: this.method });
    return this.logger;
  }
}

function toDate(deadline: ReturnType<SurfaceCall["getDeadline"]>): Date | undefined {
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}
