// The distributed deployment the cancel benchmark needs, as real processes: throwaway Postgres
// and NATS (JetStream), message-store, provider-adapter pointed at the bench's wire server,
// and two agent-loop replicas, A and B, on the same store, adapter and NATS.
import { randomBytes } from "node:crypto";
import { credentials, Metadata } from "@grpc/grpc-js";
import { callUnary } from "@conduit/grpc-kit";
import { AgentLoopServiceClient, type ModelSettings } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient } from "@conduit/proto/store/v1";
import { startNats, startPostgres, startService, type RunningService, type ThrowawayNats, type ThrowawayPostgres } from "@conduit/testing";
import { createAgents, stopAll } from "./bench-stack.js";

export type LoopClient = InstanceType<typeof AgentLoopServiceClient>;

export interface CancelStack {
  /** Agent-loop clients: `a` owns the runs the bench starts, `b` is the other replica. */
  readonly a: LoopClient;
  readonly b: LoopClient;
  readonly services: { readonly a: RunningService; readonly b: RunningService; readonly adapter: RunningService; readonly store: RunningService };
  readonly postgres: ThrowawayPostgres;
  readonly nats: ThrowawayNats;
  /** Metadata with the bench tenant's API key. */
  metadata(): Metadata;
  /** Creates `count` agents of the bench tenant, `parallel` at a time; resolves to their ids. */
  createAgents(count: number, settings: { model: string; modelSettings?: ModelSettings }, parallel?: number): Promise<string[]>;
  stop(): Promise<void>;
}

const bearer = (key: string) => {
  const md = new Metadata();
  md.set("authorization", `Bearer ${key}`);
  return md;
};

/** `replicaNodeArgs` go to node before each replica's entry point, e.g. `--cpu-prof`. */
export async function startCancelStack(wireUrl: string, replicaNodeArgs: readonly string[] = []): Promise<CancelStack> {
  const internalKey = randomBytes(24).toString("hex");
  const adminKey = randomBytes(24).toString("hex");
  const [postgres, nats] = await Promise.all([startPostgres(), startNats()]);
  const started: RunningService[] = [];
  try {
    const [store, adapter] = await Promise.all([
      startService(
        "message-store",
        { CONDUIT_PORT: "0", DATABASE_URL: postgres.url, CONDUIT_ADMIN_KEY: adminKey, CONDUIT_INTERNAL_KEY: internalKey },
        { timeoutMs: 60_000 },
      ),
      startService("provider-adapter", {
        CONDUIT_PORT: "0",
        CONDUIT_INTERNAL_KEY: internalKey,
        OPENAI_API_KEY: "sk-bench-0123456789abcdef",
        OPENAI_BASE_URL: `${wireUrl}/v1`,
        CONDUIT_RETRY_MAX_ATTEMPTS: "1",
      }),
    ]);
    started.push(store, adapter);
    const loopEnv = {
      CONDUIT_PORT: "0",
      CONDUIT_INTERNAL_KEY: internalKey,
      CONDUIT_MESSAGE_STORE_ADDRESS: store.address,
      CONDUIT_PROVIDER_ADAPTER_ADDRESS: adapter.address,
      NATS_URL: nats.url,
    };
    // One after the other: the first replica creates the JetStream stream, the second finds it.
    const replicaA = await startService("agent-loop", loopEnv, { nodeArgs: replicaNodeArgs });
    started.push(replicaA);
    const replicaB = await startService("agent-loop", loopEnv, { nodeArgs: replicaNodeArgs });
    started.push(replicaB);

    const storeClient = new MessageStoreServiceClient(store.address, credentials.createInsecure());
    const admin = { metadata: bearer(adminKey) };
    const { organization } = await callUnary(storeClient.createOrganization.bind(storeClient), { name: "bench" }, admin);
    const { plaintextKey } = await callUnary(storeClient.createApiKey.bind(storeClient), { organizationId: organization!.id, name: "bench" }, admin);
    const a = new AgentLoopServiceClient(replicaA.address, credentials.createInsecure());
    const b = new AgentLoopServiceClient(replicaB.address, credentials.createInsecure());

    return {
      a,
      b,
      services: { a: replicaA, b: replicaB, adapter, store },
      postgres,
      nats,
      metadata: () => bearer(plaintextKey),
      createAgents: (count, settings, parallel) => createAgents(storeClient, () => bearer(plaintextKey), count, settings, parallel),
      async stop() {
        a.close();
        b.close();
        storeClient.close();
        await stopAll(started, postgres, nats);
      },
    };
  } catch (error) {
    await stopAll(started, postgres, nats);
    throw error;
  }
}

