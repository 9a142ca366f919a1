import { z } from "zod";

/** Thrown when the environment does not match a service's schema; lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses the environment once at start-up. Empty strings count as unset so that
 * `FOO= make run` falls back to the default instead of failing.
 */
export function loadEnv<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const key = issue.path.join(".");
      const got = input[key];
      return got === undefined ? `${key}: ${issue.message}` : `${key}: ${issue.message} (got ${JSON.stringify(got)})`;
    }),
  );
}
