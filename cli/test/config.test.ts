import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../src/args.js";
import { resolveConnection } from "../src/config.js";

describe("resolveConnection", () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "conduit-cli-"));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const writeDevKey = (dir: string, key: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "dev-api-key"), `${key}\n`);
  };

  it("uses the defaults and the dev key `make run` wrote under .conduit", () => {
    writeDevKey(join(cwd, ".conduit"), "dev-key");
    expect(resolveConnection({}, {}, cwd)).toEqual({ address: "127.0.0.1:50051", storeAddress: "127.0.0.1:50052", apiKey: "dev-key" });
  });

  it("reads the dev key under CONDUIT_DATA_DIR when it is set", () => {
    writeDevKey(join(cwd, "data"), "data-key");
    expect(resolveConnection({}, { CONDUIT_DATA_DIR: "data" }, cwd).apiKey).toBe("data-key");
  });

  it("prefers the environment to the dev key file", () => {
    writeDevKey(join(cwd, ".conduit"), "dev-key");
    const env = { CONDUIT_API_KEY: "env-key", CONDUIT_ADDRESS: "loop:1", CONDUIT_STORE_ADDRESS: "store:2" };
    expect(resolveConnection({}, env, cwd)).toEqual({ address: "loop:1", storeAddress: "store:2", apiKey: "env-key" });
  });

  it("prefers flags to the environment", () => {
    const env = { CONDUIT_API_KEY: "env-key", CONDUIT_ADDRESS: "loop:1", CONDUIT_STORE_ADDRESS: "store:2" };
    expect(resolveConnection({ apiKey: "flag-key", address: "a:3", storeAddress: "s:4" }, env, cwd)).toEqual({
      address: "a:3",
      storeAddress: "s:4",
      apiKey: "flag-key",
    });
  });

  it("is a usage error, naming where the key could come from, when there is no key at all", () => {
    expect(() => resolveConnection({}, {}, cwd)).toThrow(UsageError);
    expect(() => resolveConnection({}, {}, cwd)).toThrow(/--api-key.*CONDUIT_API_KEY.*make run/);
  });
});
