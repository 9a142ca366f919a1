import { z } from "zod";

/** A TCP port; 0 asks the OS for a free one (tests use it). */
export const port = (fallback: number) =>
  z.coerce
    .number({ error: "expected a port number" })
    .int({ error: "expected a whole port number" })
    .min(0, { error: "expected a port between 0 and 65535" })
    .max(65535, { error: "expected a port between 0 and 65535" })
    .default(fallback);

/** A positive duration in milliseconds. */
export const millis = (fallback: number) =>
  z.coerce
    .number({ error: "expected a duration in milliseconds" })
    .int({ error: "expected a whole number of milliseconds" })
    .positive({ error: "expected a positive number of milliseconds" })
    .default(fallback);

export const logLevel = () =>
  z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    error: "expected one of fatal, error, warn, info, debug, trace, silent",
  }).default("info");

/** `host:port` of another service. */
export const address = (fallback: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, { error: "expected host:port" })
    .default(fallback);

/** A URL with one of the given schemes. */
export const url = (schemes: readonly string[]) =>
  z.url({ error: `expected a URL (${schemes.join(", ")})` }).refine(
    (value) => schemes.some((s) => value.startsWith(`${s}://`)),
    { error: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")}` },
  );

/** A port that may be left unset (the feature is then off). */
export const optionalPort = () =>
  z.coerce
    .number({ error: "expected a port number" })
    .int({ error: "expected a whole port number" })
    .min(0, { error: "expected a port between 0 and 65535" })
    .max(65535, { error: "expected a port between 0 and 65535" })
    .optional();

/** Settings every service shares: where it listens, how it logs, how long it drains. */
export const serviceEnv = (defaultPort: number) => ({
  CONDUIT_HOST: z.string().min(1).default("127.0.0.1"),
  CONDUIT_PORT: port(defaultPort),
  CONDUIT_LOG_LEVEL: logLevel(),
  CONDUIT_SHUTDOWN_GRACE_MS: millis(10_000),
  CONDUIT_HEALTH_INTERVAL_MS: millis(2_000),
  /** Port of `GET /metrics` for Prometheus; unset: no metrics endpoint, 0: a free port. */
  CONDUIT_METRICS_PORT: optionalPort(),
  /** Where finished trace spans go: `off`, or `log` (one `"msg":"span"` line each). */
  CONDUIT_TRACES: z.enum(["off", "log"], { error: "expected off or log" }).default("off"),
});

export type ServiceEnv = z.infer<z.ZodObject<ReturnType<typeof serviceEnv>>>;
