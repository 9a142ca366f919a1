import { rmSync } from "node:fs";
import { chown, rm } from "node:fs/promises";
import { createDatabase } from "../database.js";
import { onProcessExit } from "../exit-cleanup.js";
import { onFreePort } from "../free-port.js";
import type { SupervisedProcess } from "../process/supervisor.js";
import { scratchDir } from "../scratch-dir.js";
import { initCluster, launchPostmaster, type ClusterLayout } from "./cluster.js";
import { postgresBinDir, postgresOsUser } from "./install.js";

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/conduit` */
  readonly url: string;
  readonly port: number;
  /** Holds the cluster and its socket; removed by stop(). */
  readonly dir: string;
  /** The postmaster's pid; undefined while paused or after stop(). */
  readonly pid: number | undefined;
  /** Shuts the server down (fast shutdown), keeping its data. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  /** Immediate shutdown, then removes the directory. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Parent of the cluster's fresh directory; default /dev/shm, else the OS temp dir. Postgres must be able to traverse it. */
  dir?: string;
  /** Extra server settings (`-c name=value`), e.g. memory sizes for a benchmark. */
  settings?: Readonly<Record<string, string>>;
}

/** Creates, starts and returns a throwaway PostgreSQL cluster with an empty `conduit` database. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const root = await scratchDir("conduit-pg-", options.dir);
  const forgetRoot = onProcessExit(() => rmSync(root, { recursive: true, force: true }));
  let postmaster: SupervisedProcess | undefined;
  try {
    const [bin, owner] = await Promise.all([postgresBinDir(), postgresOsUser()]);
    const layout: ClusterLayout = { bin, root, owner, settings: options.settings ?? {} };
    if (owner) await chown(root, owner.uid, owner.gid);
    await initCluster(layout);
    const started = await onFreePort(async (port) => ({ port, server: await launchPostmaster(layout, port) }));
    postmaster = started.server;
    const { port } = started;
    await createDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, "conduit");
    return handle(layout, port, postmaster, forgetRoot);
  } catch (error) {
    await postmaster?.stop("SIGQUIT", 5_000);
    await rm(root, { recursive: true, force: true });
    forgetRoot();
    throw error;
  }
}

function handle(
  layout: ClusterLayout,
  port: number,
  first: SupervisedProcess,
  forgetRoot: () => void,
): ThrowawayPostgres {
  let postmaster: SupervisedProcess | undefined = first;
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/conduit`,
    port,
    dir: layout.root,
    get pid() {
      return postmaster?.pid;
    },
    async pause() {
      // SIGINT is Postgres' fast shutdown: clean, so resume() needs no recovery.
      await postmaster?.stop("SIGINT");
      postmaster = undefined;
    },
    async resume() {
      if (stopped) throw new Error("resume() after stop()");
      postmaster ??= await launchPostmaster(layout, port);
    },
    async stop() {
      stopped = true;
      try {
        await postmaster?.stop("SIGQUIT");
      } finally {
        postmaster = undefined;
        await rm(layout.root, { recursive: true, force: true });
        forgetRoot();
      }
    },
  };
}
