import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadEnv, serviceEnv, url } from "../src/index.js";

const schema = z.object({ ...serviceEnv(50052), DATABASE_URL: url(["postgres", "postgresql"]).optional() });

describe("loadEnv", () => {
  it("applies defaults for unset and empty variables", () => {
    const env = loadEnv(schema, { CONDUIT_PORT: "", CONDUIT_LOG_LEVEL: undefined });
    expect(env).toMatchObject({ CONDUIT_HOST: "127.0.0.1", CONDUIT_PORT: 50052, CONDUIT_LOG_LEVEL: "info" });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("coerces numbers and keeps valid URLs", () => {
    const env = loadEnv(schema, { CONDUIT_PORT: "0", DATABASE_URL: "postgres://u@h:5432/db" });
    expect(env.CONDUIT_PORT).toBe(0);
    expect(env.DATABASE_URL).toBe("postgres://u@h:5432/db");
  });

  it("names every bad variable, what it expects and what it got", () => {
    const err = (() => {
      try {
        loadEnv(schema, { CONDUIT_PORT: "http", CONDUIT_LOG_LEVEL: "loud", DATABASE_URL: "mysql://x/y" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('CONDUIT_PORT: expected a port number (got "http")');
    expect(problems[1]).toMatch(/^CONDUIT_LOG_LEVEL: expected one of fatal, error, warn, info.* \(got "loud"\)$/);
    expect(problems[2]).toBe('DATABASE_URL: expected a URL starting with postgres:// or postgresql:// (got "mysql://x/y")');
    expect((err as Error).message).toContain("invalid configuration");
  });

  it("rejects out-of-range ports", () => {
    expect(() => loadEnv(schema, { CONDUIT_PORT: "70000" })).toThrow(/CONDUIT_PORT: expected a port between 0 and 65535/);
  });
});
