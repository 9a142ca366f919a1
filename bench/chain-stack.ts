// The whole chain as real processes for the chain benchmark: throwaway Postgres and NATS,
// message-store, provider-adapter (pointed at the bench's wire server) and agent-loop.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { credentials, Metadata } from "@grpc/grpc-js";
import { callUnary } from "@conduit/grpc-kit";
import { AgentLoopServiceClient, type ModelSettings } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceClient } from "@conduit/proto/provider/v1";
import { MessageStoreServiceClient } from "@conduit/proto/store/v1";
import { startNats, startPostgres, startService, type RunningService, type ThrowawayNats, type ThrowawayPostgres } from "@conduit/testing";
import { createAgents, stopAll } from "./bench-stack.js";

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

const bearer = (key: string) => {
  const md = new Metadata();
  md.set("authorization", `Bearer ${key}`);
  return md;
};

/** `nodeArgs` per service, e.g. `--cpu-prof` for a profile. */
export async function startChainStack(wireUrl: string, nodeArgs: Partial<Record<ServiceName, string[]>> = {}): Promise<ChainStack> {
  const internalKey = randomBytes(24).toString("hex");
  const adminKey = randomBytes(24).toString("hex");
  const [postgres, nats] = await Promise.all([startPostgres(), startNats()]);
  const started: RunningService[] = [];
  try {
    const [store, adapter] = await Promise.all([
      startService(
        "message-store",
        { CONDUIT_PORT: "0", DATABASE_URL: postgres.url, CONDUIT_ADMIN_KEY: adminKey, CONDUIT_INTERNAL_KEY: internalKey },
        { timeoutMs: 60_000, nodeArgs: nodeArgs.store ?? [] },
      ),
      startService(
        "provider-adapter",
        {
          CONDUIT_PORT: "0",
          CONDUIT_INTERNAL_KEY: internalKey,
          OPENAI_API_KEY: "sk-bench-0123456789abcdef",
          OPENAI_BASE_URL: `${wireUrl}/v1`,
          CONDUIT_RETRY_MAX_ATTEMPTS: "1",
        },
        { nodeArgs: nodeArgs.adapter ?? [] },
      ),
    ]);
    started.push(store, adapter);
    const agentLoop = await startService(
      "agent-loop",
      {
        CONDUIT_PORT: "0",
        CONDUIT_INTERNAL_KEY: internalKey,
        CONDUIT_MESSAGE_STORE_ADDRESS: store.address,
        CONDUIT_PROVIDER_ADAPTER_ADDRESS: adapter.address,
        NATS_URL: nats.url,
      },
      { nodeArgs: nodeArgs.agentLoop ?? [] },
    );
    started.push(agentLoop);

    const storeClient = new MessageStoreServiceClient(store.address, credentials.createInsecure());
    const admin = { metadata: bearer(adminKey) };
    const { organization } = await callUnary(storeClient.createOrganization.bind(storeClient), { name: "bench" }, admin);
    const { plaintextKey } = await callUnary(
      storeClient.createApiKey.bind(storeClient),
      { organizationId: organization!.id, name: "bench" },
      admin,
    );
    const loop = new AgentLoopServiceClient(agentLoop.address, credentials.createInsecure());
    const adapterClient = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());

    return {
      loop,
      adapter: adapterClient,
      services: { agentLoop, adapter, store },
      postgres,
      nats,
      callerMetadata: () => bearer(plaintextKey),
      internalMetadata: () => bearer(internalKey),
      createAgents: (count, settings, parallel) => createAgents(storeClient, () => bearer(plaintextKey), count, settings, parallel),
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
