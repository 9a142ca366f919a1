import { describe, expect, it } from "vitest";
import { startProcess, type SupervisedProcess } from "../src/index.js";
import { nodeScript } from "./helpers/processes.js";

const serving = 'console.log(JSON.stringify({ msg: "serving", address: "127.0.0.1:1234" }));';
const isServing = (line: Record<string, unknown>) => line.msg === "serving";

async function withProcess(body: string, use: (proc: SupervisedProcess) => Promise<void>): Promise<void> {
  const proc = await startProcess({ name: "probe", command: process.execPath, args: nodeScript(body), ready: isServing });
  try {
    await use(proc);
  } finally {
    await proc.kill();
  }
}

describe("startProcess", () => {
  it("resolves on the ready line and keeps the JSON lines, skipping plain text", async () => {
    await withProcess(`console.log("plain text"); console.log("[1,2]"); ${serving}`, async (proc) => {
      expect(proc.lines).toEqual([{ msg: "serving", address: "127.0.0.1:1234" }]);
      expect(proc.output()).toContain("plain text");
      expect(() => process.kill(proc.pid, 0)).not.toThrow();
    });
  });

  it("rejects with the exit status and the output when the process exits before ready", async () => {
    const run = startProcess({
      name: "doomed",
      command: process.execPath,
      args: ["-e", 'console.error("cannot open config: missing DATABASE_URL"); process.exit(3);'],
      ready: isServing,
    });
    await expect(run).rejects.toThrow(/doomed \(pid \d+\) exited \(code 3\) before printing a matching log line[\s\S]*missing DATABASE_URL/);
  });

  it("rejects after timeoutMs and kills a process that never becomes ready", async () => {
    const lines: Record<string, unknown>[] = [];
    const run = startProcess({
      name: "silent",
      command: process.execPath,
      args: nodeScript('console.log(JSON.stringify({ msg: "starting", pid: process.pid }));'),
      ready: (line) => (lines.push(line), false),
      timeoutMs: 500,
    });
    await expect(run).rejects.toThrow(/silent \(pid \d+\) printed no matching log line within 500 ms[\s\S]*"starting"/);
    const pid = Number(lines[0]?.pid);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("rejects with a clear message when the command does not exist", async () => {
    const run = startProcess({ name: "ghost", command: "/nonexistent/ghost", args: [], ready: isServing });
    await expect(run).rejects.toThrow(/could not start ghost \(\/nonexistent\/ghost\): .*ENOENT/);
  });

  it("waitForLine finds a line logged later, and `since` skips earlier matches", async () => {
    const body = `${serving} setTimeout(() => console.log(JSON.stringify({ msg: "tick", n: 2 })), 50);`;
    await withProcess(`console.log(JSON.stringify({ msg: "tick", n: 1 })); ${body}`, async (proc) => {
      expect((await proc.waitForLine((l) => l.msg === "tick", 5_000)).n).toBe(1);
      const since = proc.lines.length;
      expect((await proc.waitForLine((l) => l.msg === "tick", 5_000, since)).n).toBe(2);
    });
  });

  it("stop sends SIGTERM and reports how the process ended", async () => {
    await withProcess(serving, async (proc) => {
      expect(await proc.stop()).toEqual({ code: null, signal: "SIGTERM" });
      expect(() => process.kill(proc.pid, 0)).toThrow();
    });
  });

  it("stop escalates to SIGKILL when the process ignores SIGTERM", async () => {
    await withProcess(`process.on("SIGTERM", () => {}); ${serving}`, async (proc) => {
      const started = Date.now();
      expect(await proc.stop("SIGTERM", 300)).toEqual({ code: null, signal: "SIGKILL" });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(() => process.kill(proc.pid, 0)).toThrow();
    });
  });

  it("waitForLine rejects with the output once the process has exited", async () => {
    await withProcess(serving, async (proc) => {
      await proc.kill();
      await expect(proc.waitForLine((l) => l.msg === "never", 5_000)).rejects.toThrow(
        /exited \(signal SIGKILL\) before printing a matching log line[\s\S]*"serving"/,
      );
    });
  });
});
