import { readdirSync, readFileSync } from "node:fs";

/**
 * True while `pid` is a live process. A zombie counts as gone: an orphan's
 * zombie lingers here until PID 1 reaps it, which this machine's PID 1 does
 * only every second or two.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of the processes whose command line has `-p <port>` (how postgres and nats-server are started). */
export function pidsListeningWith(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited while we looked
    }
    const flag = args.indexOf("-p");
    if (flag >= 0 && args[flag + 1] === String(port)) pids.push(Number(entry));
  }
  return pids;
}

/** `node -e` arguments: run `body`, then stay alive until killed. */
export function nodeScript(body: string): string[] {
  return ["-e", `${body}\nsetInterval(() => {}, 60_000);`];
}
