import { activeTraceIds } from "@conduit/tracing";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Keys whose values never reach a log line, wherever they are nested (two levels deep). */
const SECRET_KEYS = ["authorization", "apiKey", "api_key", "password", "secret", "token"];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** JSON lines on stdout: one object per line with `service`, and run/request ids via `child`. */
export function createLogger({ service, level = "info", destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      // Every line logged inside a traced call carries its trace and span ids.
      mixin: () => activeTraceIds(),
    },
    destination,
  );
}

/** Scopes a logger to one request (and run, once known). */
export function withIds(log: Logger, ids: { requestId?: string; runId?: string }): Logger {
  const bindings: Record<string, string> = {};
  if (ids.requestId) bindings.request_id = ids.requestId;
  if (ids.runId) bindings.run_id = ids.runId;
  return log.child(bindings);
}
