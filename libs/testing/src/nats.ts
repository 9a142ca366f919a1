import { existsSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { onProcessExit } from "./exit-cleanup.js";
import { onFreePort } from "./free-port.js";
import { spawnSupervised, type SupervisedProcess } from "./process/supervisor.js";
import { scratchDir } from "./scratch-dir.js";

export interface ThrowawayNats {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The server's pid; undefined while paused or after stop(). */
  readonly pid: number | undefined;
  /** The JetStream store directory (undefined without JetStream); removed by stop(). */
  readonly storeDir: string | undefined;
  /** Stops the server, keeping the JetStream store. */
  pause(): Promise<void>;
  /** Starts it again on the same port and store. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  /** Default true. */
  jetstream?: boolean;
}

// Debian installs the server outside a normal user's PATH.
const NATS_SERVER = existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";

export async function startNats(options: StartNatsOptions = {}): Promise<ThrowawayNats> {
  const storeDir = (options.jetstream ?? true) ? await scratchDir("conduit-nats-") : undefined;
  const forgetStore = storeDir ? onProcessExit(() => rmSync(storeDir, { recursive: true, force: true })) : () => {};
  const removeStore = async () => {
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
    forgetStore();
  };
  let started: { port: number; server: SupervisedProcess };
  try {
    started = await onFreePort(async (port) => ({ port, server: await launch(port, storeDir) }));
  } catch (error) {
    await removeStore();
    throw error;
  }
  const { port } = started;
  let server: SupervisedProcess | undefined = started.server;
  let stopped = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return server?.pid;
    },
    async pause() {
      await server?.stop();
      server = undefined;
    },
    async resume() {
      if (stopped) throw new Error("resume() after stop()");
      server ??= await launch(port, storeDir);
    },
    async stop() {
      stopped = true;
      try {
        await server?.stop();
      } finally {
        server = undefined;
        await removeStore();
      }
    },
  };
}

async function launch(port: number, storeDir: string | undefined): Promise<SupervisedProcess> {
  const args = ["-a", "127.0.0.1", "-p", String(port)];
  if (storeDir) args.push("-js", "-sd", storeDir);
  const server = await spawnSupervised({ name: "nats-server", command: NATS_SERVER, args });
  try {
    await server.waitForOutput((line) => line.includes("Server is ready"), 10_000);
    return server;
  } catch (error) {
    await server.kill();
    throw error;
  }
}
