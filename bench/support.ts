import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Percentile of a sample (nearest rank), in the sample's unit. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** Writes bench/results/<name>.json and prints it. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  const dir = fileURLToPath(new URL("results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const body = JSON.stringify({ ...result, measured_at: new Date().toISOString() }, null, 2);
  writeFileSync(`${dir}${name}.json`, `${body}\n`);
  console.log(body);
}

/** `--rows 100000` → 100000; the fallback when absent. */
export function numberFlag(args: readonly string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  if (i === -1) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} expects a positive integer`);
  return value;
}

/** CPU seconds (user + system) a process and its children-by-parent have used so far (Linux). */
export function cpuSeconds(pid: number): number {
  const ticks = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return 0; // gone
    }
  };
  let total = ticks(pid);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) total += ticks(Number(entry));
    } catch {
      // raced with an exit
    }
  }
  return total / 100;
}
