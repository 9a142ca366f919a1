import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startProcess } from "../src/index.js";
import { repoRoot } from "../src/services.js";
import { isAlive } from "./helpers/processes.js";

describe("a crashed test run", () => {
  it("takes its supervised children down with it, even one that ignores SIGTERM", async () => {
    const probe = createServer();
    const childDied = new Promise<void>((resolve) => {
      probe.on("connection", (socket) => socket.on("close", () => resolve()).resume());
    });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    try {
      const runner = await startProcess({
        name: "crashing-runner",
        command: process.execPath,
        args: ["--import", "tsx", "libs/testing/test/fixtures/crashing-runner.ts"],
        cwd: repoRoot,
        env: { ...process.env, PROBE_PORT: String((probe.address() as AddressInfo).port) },
        ready: (line) => line.msg === "child started",
      });
      expect((await runner.exited).code).toBe(1);
      expect(runner.output()).toContain("simulated crash of the test run");
      const childPid = Number(runner.lines.find((line) => line.msg === "child started")?.pid);
      await childDied;
      // Orphaned, the child may stay a zombie for a moment; isAlive() counts that as gone.
      expect(isAlive(childPid)).toBe(false);
    } finally {
      await new Promise((resolve) => probe.close(resolve));
    }
  });
});
