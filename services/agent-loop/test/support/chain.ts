import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, inject } from "vitest";
import { callStream, callUnary, releasedClient, type ServiceError } from "@conduit/grpc-kit";
import {
  Agent,
  AgentLoopServiceClient,
  SendMessageRequest,
  type Message,
  type Run,
  type RunEvent,
} from "@conduit/proto/agent/v1";
import { ListRunsRequest, MessageStoreServiceClient, SortOrder } from "@conduit/proto/store/v1";
import { createDatabase, startProviderServer, startService, type ProviderServer, type RunningService } from "@conduit/testing";

/** The whole chain on real processes: agent-loop → provider-adapter → local provider server; store on Postgres. */
export interface Chain {
  readonly upstream: ProviderServer;
  readonly agentLoop: RunningService;
  readonly store: RunningService;
  readonly adapter: RunningService;
  /** The credential the services share, for extra replicas a test starts. */
  readonly internalKey: string;
  /** A fresh organization and its API key. */
  newTenant(): Promise<string>;
  createAgent(apiKey: string, agent: Partial<Agent>): Promise<Agent>;
  getAgent(apiKey: string, agentId: string): Promise<Agent>;
  /** Streams a SendMessage to its end; a non-OK status is returned, not thrown. */
  send(apiKey: string, request: Partial<SendMessageRequest>, opts?: SendOptions): Promise<Sent>;
  /** Another agent-loop replica of the same chain (same store, provider-adapter and bus). */
  startReplica(env?: Record<string, string>): Promise<RunningService>;
  /** An agent-loop client of a replica, for RPCs besides SendMessage. */
  loopClient(address?: string): InstanceType<typeof AgentLoopServiceClient>;
  /** Metadata carrying an API key. */
  bearer(apiKey: string): Metadata;
  /** The same, to another agent-loop replica. */
  sendTo(address: string, apiKey: string, request: Partial<SendMessageRequest>, opts?: SendOptions): Promise<Sent>;
  getRun(apiKey: string, runId: string): Promise<Run>;
  /** The run's messages as the store has them, oldest first. */
  runMessages(apiKey: string, agentId: string, runId: string): Promise<Message[]>;
  /** The ids of the agent's runs as the store has them, oldest first. */
  runIds(apiKey: string, agentId: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface SendOptions {
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export interface Sent {
  events: RunEvent[];
  error: ServiceError | undefined;
}

/** Extra settings: for agent-loop only, or for all three services. */
export interface ChainEnv {
  agentLoop?: Record<string, string>;
  all?: Record<string, string>;
}

export async function startChain(env: ChainEnv = {}): Promise<Chain> {
  const internalKey = randomBytes(24).toString("hex");
  const adminKey = randomBytes(24).toString("hex");
  const dataDir = mkdtempSync(join(tmpdir(), "conduit-chain-"));
  const upstream = await startProviderServer();
  const started = await Promise.allSettled([
    startService(
      "message-store",
      {
        CONDUIT_PORT: "0",
        CONDUIT_DATA_DIR: dataDir,
        CONDUIT_ADMIN_KEY: adminKey,
        CONDUIT_INTERNAL_KEY: internalKey,
        DATABASE_URL: await createDatabase(inject("pgUrl")),
        ...env.all,
      },
      { timeoutMs: 60_000 },
    ),
    startService("provider-adapter", {
      CONDUIT_PORT: "0",
      CONDUIT_INTERNAL_KEY: internalKey,
      OPENAI_API_KEY: "sk-test-0123456789abcdef",
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      ANTHROPIC_API_KEY: "sk-ant-test-0123456789abcdef",
      ANTHROPIC_BASE_URL: upstream.url,
      CONDUIT_RETRY_MAX_ATTEMPTS: "1",
      ...env.all,
    }),
  ]);
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(started.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    await upstream.close();
    throw failed.reason;
  }
  const [store, adapter] = started.map((r) => (r as PromiseFulfilledResult<RunningService>).value) as [RunningService, RunningService];
  const loopEnv = {
    CONDUIT_PORT: "0",
    CONDUIT_INTERNAL_KEY: internalKey,
    CONDUIT_MESSAGE_STORE_ADDRESS: store.address,
    CONDUIT_PROVIDER_ADAPTER_ADDRESS: adapter.address,
    NATS_URL: inject("natsUrl"),
    ...env.all,
    ...env.agentLoop,
  };
  // A failed start must not leave the other two running.
  const agentLoop = await startService("agent-loop", loopEnv).catch(async (err: unknown) => {
    await Promise.all([store.stop(), adapter.stop(), upstream.close()]);
    throw err;
  });
  const replicas: RunningService[] = [];
  const clients: Array<{ close(): void }> = [];
  const loop = new AgentLoopServiceClient(agentLoop.address, credentials.createInsecure());
  const storeClient = new (releasedClient(MessageStoreServiceClient))(store.address, credentials.createInsecure());
  const bearer = (key: string) => {
    const md = new Metadata();
    md.set("authorization", `Bearer ${key}`);
    return md;
  };
  const opts = (key: string) => ({ metadata: bearer(key), timeoutMs: 30_000 });

  return {
    upstream,
    internalKey,
    agentLoop,
    store,
    adapter,
    async newTenant() {
      const { organization } = await callUnary(storeClient.createOrganization.bind(storeClient), { name: "tenant" }, opts(adminKey));
      const { plaintextKey } = await callUnary(
        storeClient.createApiKey.bind(storeClient),
        { organizationId: organization!.id, name: "test" },
        opts(adminKey),
      );
      return plaintextKey;
    },
    async createAgent(apiKey, agent) {
      const res = await callUnary(storeClient.createAgent.bind(storeClient), { agent: Agent.fromPartial({ name: "agent", ...agent }), includeBaseTools: true }, opts(apiKey));
      return res.agent!;
    },
    async getAgent(apiKey, agentId) {
      return (await callUnary(storeClient.getAgent.bind(storeClient), { agentId }, opts(apiKey))).agent!;
    },
    async startReplica(extra = {}) {
      const replica = await startService("agent-loop", { ...loopEnv, ...extra });
      replicas.push(replica);
      return replica;
    },
    loopClient(address = agentLoop.address) {
      const client = new AgentLoopServiceClient(address, credentials.createInsecure());
      clients.push(client);
      return client;
    },
    bearer,
    send: (apiKey, request, o) => streamRun(loop, bearer(apiKey), request, o),
    async sendTo(address, apiKey, request, o) {
      const other = new AgentLoopServiceClient(address, credentials.createInsecure());
      try {
        return await streamRun(other, bearer(apiKey), request, o);
      } finally {
        other.close();
      }
    },
    async getRun(apiKey, runId) {
      return (await callUnary(loop.getRun.bind(loop), { runId }, opts(apiKey))).run!;
    },
    async runMessages(apiKey, agentId, runId) {
      const res = await callUnary(
        storeClient.listMessages.bind(storeClient),
        { agentId, runId, roles: [], limit: 1000, order: SortOrder.SORT_ORDER_ASC },
        opts(apiKey),
      );
      return res.messages;
    },
    async runIds(apiKey, agentId) {
      const res = await callUnary(storeClient.listRuns.bind(storeClient), ListRunsRequest.fromPartial({ agentId, limit: 100, order: SortOrder.SORT_ORDER_ASC }), opts(apiKey));
      return res.runs.map((r) => r.id);
    },
    async stop() {
      loop.close();
      storeClient.close();
      for (const c of clients) c.close();
      await Promise.all([agentLoop.stop(), ...replicas.map((r) => r.stop()), adapter.stop(), store.stop()]);
      await upstream.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function streamRun(
  client: InstanceType<typeof AgentLoopServiceClient>,
  metadata: Metadata,
  request: Partial<SendMessageRequest>,
  o: SendOptions = {},
): Promise<Sent> {
  const events: RunEvent[] = [];
  try {
    const stream = callStream(client.sendMessage.bind(client), SendMessageRequest.fromPartial(request), { metadata, signal: o.signal });
    for await (const event of stream) {
      events.push(event);
      o.onEvent?.(event);
    }
    return { events, error: undefined };
  } catch (error) {
    return { events, error: error as ServiceError };
  }
}

/**
 * One chain per test file: started before its tests and stopped after them. The returned object
 * stands for the chain once it has started.
 */
export function useChain(env: Parameters<typeof startChain>[0] = {}): Chain {
  let started: Chain | undefined;
  beforeAll(async () => {
    started = await startChain(env);
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as Chain, {
    get(_, property) {
      if (!started) throw new Error("the chain is used before it started (use it inside a test or a beforeAll)");
      return started[property as keyof Chain];
    },
  });
}
