import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serviceProcess } from "../src/services.js";

describe("startService launch", () => {
  it("runs the service's TypeScript entry point under tsx from the repo root", () => {
    const launch = serviceProcess("message-store", {});
    const rootPackage = JSON.parse(readFileSync(join(launch.cwd!, "package.json"), "utf8")) as { name: string };
    expect(rootPackage.name).toBe("conduit");
    expect(launch.command).toBe(process.execPath);
    expect(launch.args).toEqual(["--import", "tsx", "services/message-store/src/main.ts"]);
  });

  it("merges the given env over process.env with info logging unless overridden", () => {
    const launch = serviceProcess("agent-loop", { DATABASE_URL: "postgres://x" });
    expect(launch.env).toMatchObject({ PATH: process.env.PATH, DATABASE_URL: "postgres://x", CONDUIT_LOG_LEVEL: "info" });
    expect(serviceProcess("agent-loop", { CONDUIT_LOG_LEVEL: "debug" }).env?.CONDUIT_LOG_LEVEL).toBe("debug");
  });

  it("is ready on the serving line only", () => {
    const { ready } = serviceProcess("provider-adapter", {});
    expect(ready({ msg: "serving", address: "127.0.0.1:5000" })).toBe(true);
    expect(ready({ msg: "starting" })).toBe(false);
  });
});
