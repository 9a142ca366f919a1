import type {
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  ServerUnaryCall,
  ServerWritableStream,
} from "@grpc/grpc-js";
import { activeStreams } from "@conduit/metrics";
import { inSpan, SpanKind, withIncomingTrace } from "@conduit/tracing";
import { CallAborted, openCallContext, type CallContext, type ServerRuntime } from "./call-context.js";
import { CoalescingWriter, type Merge } from "./coalescing-writer.js";
import { ServiceError, shuttingDown, Status, toServiceError, unimplemented } from "./errors.js";

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
export type StreamHandler<Req, Res> = (request: Req, ctx: CallContext) => AsyncIterable<Res>;

/** Adapts a promise-returning handler to grpc-js. */
export function unary<Req, Res>(
  rt: ServerRuntime,
  method: string,
  handler: UnaryHandler<Req, Res>,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback) => {
    const { ctx, close } = openCallContext(call, method, rt);
    void traced(call.metadata, method, () =>
      handler(call.request, ctx).then(
        (response) => callback(null, response),
        (err: unknown) => callback(edgeError(err, ctx).toStatus()),
      ),
    ).finally(close);
  };
}

/**
 * Adapts an `async *` handler to a grpc-js server stream with backpressure: when `write()`
 * returns false the generator is not resumed until the stream drains. A client cancel stops
 * pulling and runs the generator's `finally` blocks. With `merge`, items produced in one
 * event-loop turn are folded together (CoalescingWriter), for streams whose items are pieces of
 * something larger.
 */
export function serverStream<Req, Res>(
  rt: ServerRuntime,
  method: string,
  handler: StreamHandler<Req, Res>,
  options: { merge?: Merge<Res> } = {},
): handleServerStreamingCall<Req, Res> {
  const { merge } = options;
  return (call: ServerWritableStream<Req, Res>) => {
    const { ctx, close } = openCallContext(call, method, rt);
    activeStreams.inc();
    // The handler is called inside the call's span and promise chain, so that even a synchronous
    // throw ends the call with a status.
    const run = async () => {
      const source = handler(call.request, ctx);
      return merge ? pumpCoalesced(call, source, ctx.signal, merge) : pump(call, source, ctx.signal);
    };
    traced(call.metadata, method, run).then(
      () => {
        if (!call.cancelled) call.end();
      },
      (err: unknown) => {
        const error = edgeError(err, ctx);
        if (!call.cancelled) call.emit("error", error.toStatus());
      },
    ).finally(() => {
      activeStreams.dec();
      close();
    });
  };
}

/** One server span per call, in the trace the caller sent (W3C `traceparent` metadata). */
function traced<T>(metadata: Metadata, method: string, fn: () => Promise<T>): Promise<T> {
  const first = (key: string) => {
    const value = metadata.get(key)[0];
    return typeof value === "string" ? value : undefined;
  };
  return withIncomingTrace(first, () => inSpan(method, { "rpc.system": "grpc", "rpc.method": method }, fn, SpanKind.SERVER));
}

/** For RPCs the contract declares but this build does not serve yet. */
export function notImplemented(rt: ServerRuntime, method: string): handleUnaryCall<unknown, unknown> {
  return unary(rt, method, async () => {
    throw unimplemented(method);
  });
}

export function notImplementedStream(rt: ServerRuntime, method: string): handleServerStreamingCall<unknown, unknown> {
  return serverStream(rt, method, async function* () {
    throw unimplemented(method);
  });
}

async function pump<Res>(call: ServerWritableStream<unknown, Res>, source: AsyncIterable<Res>, signal: AbortSignal) {
  for await (const item of source) {
    if (call.cancelled) return; // leaving the loop calls return() on the generator: its finally runs
    if (!call.write(item)) await drained(call, signal);
  }
}

/** `pump`, with items produced together folded by `merge` (see CoalescingWriter). */
async function pumpCoalesced<Res>(call: ServerWritableStream<unknown, Res>, source: AsyncIterable<Res>, signal: AbortSignal, merge: Merge<Res>) {
  const writer = new CoalescingWriter(call, merge, signal);
  try {
    for await (const item of source) {
      if (call.cancelled) return;
      const full = writer.push(item);
      if (full) await full;
    }
  } finally {
    // Items already produced go out before the end or the error status.
    await writer.drain();
  }
}

function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.removeListener("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    call.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Maps any failure to one ServiceError; unexpected ones are logged once, with the request id. */
function edgeError(err: unknown, ctx: CallContext): ServiceError {
  const { error, unexpected } = toServiceError(err);
  if (!unexpected) return error;
  // A handler that gave up because its call was aborted did not fail.
  if (ctx.signal.aborted) return abortedError(ctx.signal.reason);
  ctx.log.error({ err }, "unexpected error");
  return error;
}

function abortedError(reason: unknown): ServiceError {
  const cause = reason instanceof CallAborted ? reason.cause : "client_cancelled";
  switch (cause) {
    case "server_shutdown":
      return shuttingDown();
    case "deadline_exceeded":
      return new ServiceError(Status.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", "deadline exceeded");
    case "client_cancelled":
      return new ServiceError(Status.CANCELLED, "CANCELLED", "cancelled by the client");
  }
}
