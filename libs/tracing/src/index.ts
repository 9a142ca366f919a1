import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace-base";

export { SpanKind, type Attributes, type Context };

/** Where finished spans go: nowhere, or one log line each (`"msg":"span"`). */
export type TraceExporter = "off" | "log";

export interface SpanLog {
  info(fields: Record<string, unknown>, msg: string): void;
}

/**
 * Turns on trace context for the process: W3C `traceparent` carried across calls, and the active
 * span followed through async work. With an exporter, spans are also recorded; without one, a
 * service that calls other services (`propagates`) still passes its callers' trace on to them.
 * A leaf service with no exporter follows no context: on Node 20 that means async hooks on every
 * promise, a large share of a streaming service's CPU.
 */
export function startTracing(exporter: TraceExporter, log: SpanLog, options: { propagates: boolean }): { close(): Promise<void> } {
  if (exporter !== "off" || options.propagates) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (exporter === "off") return { close: async () => {} };
  const provider = new BasicTracerProvider({ spanProcessors: [logProcessor(log)] });
  trace.setGlobalTracerProvider(provider);
  return { close: () => provider.shutdown() };
}

const tracer = () => trace.getTracer("conduit");

/** Runs `fn` inside a new span, child of the active one; failures are recorded on the span. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  return tracer().startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs `fn` in the trace context a caller sent (`traceparent` in its metadata). */
export function withIncomingTrace<T>(get: (key: string) => string | undefined, fn: () => T): T {
  const incoming = propagation.extract(context.active(), undefined, {
    get: (_carrier, key) => get(key),
    keys: () => ["traceparent", "tracestate"],
  });
  return context.with(incoming, fn);
}

/** Writes the active trace context for the next hop (`traceparent`). */
export function injectTrace(set: (key: string, value: string) => void): void {
  propagation.inject(context.active(), undefined, { set: (_carrier, key, value) => set(key, value) });
}

/** The active trace and span ids, for log lines. */
export function activeTraceIds(): { trace_id: string; span_id: string } | Record<string, never> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

function logProcessor(log: SpanLog): SpanProcessor {
  return {
    onStart: () => {},
    onEnd(span: ReadableSpan) {
      const { traceId, spanId } = span.spanContext();
      log.info(
        {
          trace_id: traceId,
          span_id: spanId,
          parent_span_id: span.parentSpanContext?.spanId,
          span: span.name,
          duration_ms: span.duration[0] * 1000 + span.duration[1] / 1e6,
          attributes: span.attributes,
          ...(span.status.code === SpanStatusCode.ERROR ? { error: span.status.message } : {}),
        },
        "span",
      );
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
