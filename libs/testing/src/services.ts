import { fileURLToPath } from "node:url";
import { startProcess, type StartProcessOptions, type SupervisedProcess } from "./process/supervisor.js";

export type ConduitService = "agent-loop" | "message-store" | "provider-adapter";

export interface RunningService extends SupervisedProcess {
  /** `127.0.0.1:PORT`, from the service's "serving" log line. */
  readonly address: string;
}

// This file is libs/testing/src/services.ts.
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** How startService runs a service: its TypeScript entry point under tsx, from the repo root. */
export function serviceProcess(
  service: ConduitService,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): StartProcessOptions {
  return {
    name: service,
    command: process.execPath,
    args: [...nodeArgs, "--import", "tsx", `services/${service}/src/main.ts`],
    cwd: repoRoot,
    env: { ...process.env, CONDUIT_LOG_LEVEL: "info", ...env },
    ready: (line) => line.msg === "serving",
  };
}

/**
 * Starts a service and resolves once it logs `"msg":"serving"` with its address. `nodeArgs`
 * go to node before the entry point (benchmarks pass `--cpu-prof`).
 */
export async function startService(
  service: ConduitService,
  env: Record<string, string> = {},
  options: { timeoutMs?: number; nodeArgs?: readonly string[] } = {},
): Promise<RunningService> {
  const { nodeArgs, ...rest } = options;
  const proc = await startProcess({ ...serviceProcess(service, env, nodeArgs), ...rest });
  const address = proc.lines.find((line) => line.msg === "serving")?.address;
  if (typeof address !== "string") {
    await proc.kill();
    throw new Error(`${service} logged "serving" without a string "address"\n${proc.output()}`);
  }
  return Object.assign(proc, { address });
}
