import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { credentials, Metadata } from "@grpc/grpc-js";
import { callUnary, checkHealth, healthClient } from "@conduit/grpc-kit";
import { Agent } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient } from "@conduit/proto/store/v1";

const root = fileURLToPath(new URL("..", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "conduit-run-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Pids of the service processes whose parent is `pid` (tsx may have a helper child too). */
function servicesOf(pid: number): number[] {
  let lines: string[];
  try {
    lines = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)]).toString().split("\n");
  } catch {
    return []; // ps exits 1 when there are none
  }
  return lines.filter((line) => /services\/[a-z-]+\/src\/main\.ts/.test(line)).map((line) => Number.parseInt(line, 10));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("make run (scripts/stack.ts)", () => {
  it("brings the three services to SERVING on their default ports within 20 s with a working dev API key, and Ctrl-C stops them all", async () => {
    const startedAt = Date.now();
    const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/stack.ts"], {
      cwd: root,
      env: { ...process.env, CONDUIT_DATA_DIR: dataDir, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => launcher.once("exit", (code) => resolve(code)));
    onTestFinished(() => {
      if (launcher.exitCode === null) launcher.kill("SIGINT");
    });
    const output: string[] = [];
    const banner = new Promise<void>((resolve, reject) => {
      createInterface({ input: launcher.stdout! }).on("line", (line) => {
        output.push(line);
        if (line.startsWith("Conduit is running")) resolve();
      });
      void exited.then((code) => reject(new Error(`launcher exited (${code}) before serving:\n${output.join("\n")}`)));
    });
    await banner;
    expect(Date.now() - startedAt).toBeLessThan(20_000);

    for (const port of [50051, 50052, 50053]) {
      const client = healthClient(`127.0.0.1:${port}`);
      try {
        expect(await checkHealth(client), `port ${port}`).toBe("SERVING");
      } finally {
        client.close();
      }
    }
    // The development API key is written on first start (owner-only) and works.
    const keyFile = join(dataDir, "dev-api-key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${readFileSync(keyFile, "utf8").trim()}`);
    const store = new MessageStoreServiceClient("127.0.0.1:50052", credentials.createInsecure());
    try {
      const { agent } = await callUnary(store.createAgent.bind(store), { agent: Agent.fromPartial({ name: "demo" }) }, { metadata });
      expect(agent?.name).toBe("demo");
    } finally {
      store.close();
    }
    expect(output.some((l) => l.startsWith("Your API key") && l.includes("cdk_"))).toBe(true);

    const services = servicesOf(launcher.pid!);
    expect(services).toHaveLength(3);

    launcher.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(services.filter(alive)).toEqual([]);
    expect(output.filter((l) => / stopped$/.test(l))).toHaveLength(3);
  });
});
