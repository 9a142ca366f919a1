// What the benchmarks that start the whole stack share: Postgres, NATS, message-store and
// provider-adapter (pointed at the bench's wire server) with a tenant, agents made before timing,
// and an orderly stop.
import { randomBytes } from "node:crypto";
import { credentials, Metadata } from "@grpc/grpc-js";
import { callUnary, releasedClient } from "@conduit/grpc-kit";
import { Agent, type ModelSettings } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient } from "@conduit/proto/store/v1";
import { startNats, startPostgres, startService, type RunningService, type ThrowawayNats, type ThrowawayPostgres } from "@conduit/testing";

export const bearer = (key: string) => {
  const md = new Metadata();
  md.set("authorization", `Bearer ${key}`);
  return md;
};

/** Everything below agent-loop, running, with one tenant; agent-loop replicas join with `loopEnv`. */
export interface BaseStack {
  readonly postgres: ThrowawayPostgres;
  readonly nats: ThrowawayNats;
  readonly store: RunningService;
  readonly adapter: RunningService;
  readonly storeClient: InstanceType<typeof MessageStoreServiceClient>;
  readonly internalKey: string;
  /** The bench tenant's API key. */
  readonly apiKey: string;
  /** The environment of an agent-loop replica wired to this stack. */
  readonly loopEnv: Record<string, string>;
  /** Every service started so far, in start order (agent-loop replicas are pushed by the caller). */
  readonly started: RunningService[];
}

export async function startBaseStack(wireUrl: string, nodeArgs: { store?: readonly string[]; adapter?: readonly string[] } = {}): Promise<BaseStack> {
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
    const storeClient = new (releasedClient(MessageStoreServiceClient))(store.address, credentials.createInsecure());
    const admin = { metadata: bearer(adminKey) };
    const { organization } = await callUnary(storeClient.createOrganization.bind(storeClient), { name: "bench" }, admin);
    const { plaintextKey } = await callUnary(storeClient.createApiKey.bind(storeClient), { organizationId: organization!.id, name: "bench" }, admin);
    const loopEnv = {
      CONDUIT_PORT: "0",
      CONDUIT_INTERNAL_KEY: internalKey,
      CONDUIT_MESSAGE_STORE_ADDRESS: store.address,
      CONDUIT_PROVIDER_ADAPTER_ADDRESS: adapter.address,
      NATS_URL: nats.url,
    };
    return { postgres, nats, store, adapter, storeClient, internalKey, apiKey: plaintextKey, loopEnv, started };
  } catch (error) {
    await stopAll(started, postgres, nats);
    throw error;
  }
}

/** Creates `count` agents, `parallel` at a time; returns their ids in order. */
export async function createAgents(
  store: InstanceType<typeof MessageStoreServiceClient>,
  metadata: () => Metadata,
  count: number,
  settings: { model: string; modelSettings?: ModelSettings },
  parallel = 8,
): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const agent = Agent.fromPartial({ name: `bench-${i}`, system: "You answer benchmark prompts.", ...settings });
        const res = await callUnary(store.createAgent.bind(store), { agent, includeBaseTools: true }, { metadata: metadata() });
        ids[i] = res.agent!.id;
      }
    }),
  );
  return ids;
}

/** Stops services in reverse start order (agent-loop ends its runs through the others), then Postgres and NATS. */
export async function stopAll(services: readonly RunningService[], postgres: ThrowawayPostgres, nats: ThrowawayNats): Promise<void> {
  for (const service of [...services].reverse()) await service.stop();
  await Promise.all([postgres.stop(), nats.stop()]);
}
