// The whole chain as real processes for the chain benchmark: throwaway Postgres and NATS,
// message-store, provider-adapter (pointed at the bench's wire server) and agent-loop.
import { readdirSync, readFileSync } from "node:fs";
import { credentials, type Metadata } from "@grpc/grpc-js";
import { AgentLoopServiceClient, type ModelSettings } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceClient } from "@conduit/proto/provider/v1";
import { startService, type RunningService, type ThrowawayNats, type ThrowawayPostgres } from "@conduit/testing";
import { bearer, createAgents, startBaseStack, stopAll } from "./bench-stack.js";

export type ServiceName = "agentLoop" | "adapter" | "store";

export interface ChainStack {
  readonly loop: InstanceType<typeof AgentLoopServiceClient>;
  readonly adapter: InstanceType<typeof ProviderAdapterServiceClient>;
  readonly services: Readonly<Record<ServiceName, RunningService>>;
  readonly postgres: ThrowawayPostgres;
  readonly nats: ThrowawayNats;
  /** Metadata with the bench tenant's API key (agent-loop) and the internal key (provider-adapter). */
  readonly callerMetadata: () => Metadata;
  readonly internalMetadata: () => Metadata;
  /** Creates `count` agents of the bench tenant, `parallel` at a time; resolves to their ids. */
  createAgents(count: number, settings: { model: string; modelSettings?: ModelSettings }, parallel?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** `nodeArgs` per service, e.g. `--cpu-prof` for a profile. */
export async function startChainStack(wireUrl: string, nodeArgs: Partial<Record<ServiceName, string[]>> = {}): Promise<ChainStack> {
  const base = await startBaseStack(wireUrl, { store: nodeArgs.store ?? [], adapter: nodeArgs.adapter ?? [] });
  const { postgres, nats, store, adapter, storeClient, started } = base;
  try {
    const agentLoop = await startService("agent-loop", base.loopEnv, { nodeArgs: nodeArgs.agentLoop ?? [] });
    started.push(agentLoop);
    const loop = new AgentLoopServiceClient(agentLoop.address, credentials.createInsecure());
    const adapterClient = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());

    return {
      loop,
      adapter: adapterClient,
      services: { agentLoop, adapter, store },
      postgres,
      nats,
      callerMetadata: () => bearer(base.apiKey),
      internalMetadata: () => bearer(base.internalKey),
      createAgents: (count, settings, parallel) => createAgents(storeClient, () => bearer(base.apiKey), count, settings, parallel),
      async stop() {
        loop.close();
        adapterClient.close();
        storeClient.close();
        await stopAll(started, postgres, nats);
      },
    };
  } catch (error) {
    await stopAll(started, postgres, nats);
    throw error;
  }
}

/**
 * CPU seconds a process and its children have used so far (Linux), counting children that
 * exited and were reaped (Postgres backends come and go with the store's pool).
 */
export function treeCpuSeconds(pid: number): number {
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(f[1]), used: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  };
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { ppid, used } = ticks(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (Number(entry) === pid || ppid === pid) total += used;
    } catch {
      // raced with an exit
    }
  }
  return total / 100;
}

// pino's labels, and its numbers for loggers that keep them.
const PROBLEM_LEVELS = new Set(["warn", "error", "fatal", "40", "50", "60"]);

/** Warnings and errors a service logged, grouped by message: how many, and the first one's error text. */
export function loggedProblems(service: RunningService): Array<{ level: string; msg: string; count: number; first: string }> {
  const groups = new Map<string, { level: string; msg: string; count: number; first: string }>();
  for (const line of service.lines) {
    const level = String(line.level);
    if (!PROBLEM_LEVELS.has(level)) continue;
    const msg = String(line.msg);
    const group = groups.get(msg);
    if (group) group.count += 1;
    else {
      const err = line.err as { message?: unknown } | undefined;
      groups.set(msg, { level, msg, count: 1, first: String(err?.message ?? line.error ?? "") });
    }
  }
  return [...groups.values()];
}

/** Resident set size of a process in MB (Linux VmRSS); NaN once it is gone. */
export function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples the peak RSS of each process every `everyMs` until stopped. */
export function sampleRss(pids: Readonly<Record<string, number>>, everyMs = 100): { stop(): Record<string, number> } {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const mb = rssMb(pid);
      if (!Number.isNaN(mb)) peak[name] = Math.max(peak[name] ?? 0, mb);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
