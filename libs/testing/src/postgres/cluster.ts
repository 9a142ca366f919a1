import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { spawnSupervised, type SupervisedProcess } from "../process/supervisor.js";
import type { OsUser } from "./install.js";

const run = promisify(execFile);

/** Where one throwaway cluster lives: `root` holds the socket, `root/data` the cluster. */
export interface ClusterLayout {
  bin: string;
  root: string;
  owner: OsUser | undefined;
  /** Extra server settings, over the throwaway defaults below. */
  settings?: Readonly<Record<string, string>>;
}

const dataDir = (layout: ClusterLayout) => join(layout.root, "data");
const asOwner = (owner: OsUser | undefined) => (owner ? { uid: owner.uid, gid: owner.gid } : {});

export async function initCluster(layout: ClusterLayout): Promise<void> {
  const args = ["-D", dataDir(layout), "-U", "postgres", "-A", "trust", "-E", "UTF8"];
  // 1 MB WAL segments instead of 16: less to write and to keep, same behaviour.
  args.push("--locale=C.UTF-8", "--no-sync", "--no-instructions", "--wal-segsize=1");
  try {
    await run(join(layout.bin, "initdb"), args, { cwd: layout.root, ...asOwner(layout.owner) });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    const log = `${stdout}${stderr}`.trim().split("\n").slice(-30).join("\n");
    const command = (error as Error).message.split("\n")[0];
    throw new Error(`initdb failed in ${layout.root}: ${command}\n--- initdb output ---\n${log}`, {
      cause: error,
    });
  }
}

const READY = "database system is ready to accept connections";

/**
 * Runs the postmaster as our own child rather than through `pg_ctl start`:
 * pg_ctl leaves it orphaned, and this machine's PID 1 reaps orphans only
 * every second or two, so a stopped server would linger as a zombie. As a
 * child its exit is an event we can await, and its log is read as it comes.
 */
export async function launchPostmaster(layout: ClusterLayout, port: number): Promise<SupervisedProcess> {
  const settings = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: layout.root,
    // Throwaway data: durability only costs time.
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    // One server is shared by every test file of a run.
    max_connections: "200",
    lc_messages: "C",
    ...layout.settings,
  };
  const args = ["-D", dataDir(layout), "-p", String(port)];
  for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
  const postmaster = await spawnSupervised({
    name: "postgres",
    command: join(layout.bin, "postgres"),
    args,
    cwd: layout.root,
    ...asOwner(layout.owner),
    // SIGQUIT is Postgres' immediate shutdown: it still stops its backends.
    exitSignal: "SIGQUIT",
  });
  try {
    await postmaster.waitForOutput((line) => line.includes(READY), 30_000);
    return postmaster;
  } catch (error) {
    await postmaster.stop("SIGQUIT", 5_000);
    throw new Error(`postgres did not start on port ${port} in ${layout.root}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
