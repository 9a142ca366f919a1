// The distributed deployment the cancel benchmark needs, as real processes: throwaway Postgres
// and NATS (JetStream), message-store, provider-adapter pointed at the bench's wire server,
// and two agent-loop replicas, A and B, on the same store, adapter and NATS.
import { credentials, type Metadata } from "@grpc/grpc-js";
import { AgentLoopServiceClient, type ModelSettings } from "@conduit/proto/agent/v1";
import { startService, type RunningService, type ThrowawayNats, type ThrowawayPostgres } from "@conduit/testing";
import { bearer, createAgents, startBaseStack, stopAll } from "./bench-stack.js";

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

/** `replicaNodeArgs` go to node before each replica's entry point, e.g. `--cpu-prof`. */
export async function startCancelStack(wireUrl: string, replicaNodeArgs: readonly string[] = []): Promise<CancelStack> {
  const base = await startBaseStack(wireUrl);
  const { postgres, nats, store, adapter, storeClient, started } = base;
  try {
    // One after the other: the first replica creates the JetStream stream, the second finds it.
    const replicaA = await startService("agent-loop", base.loopEnv, { nodeArgs: replicaNodeArgs });
    started.push(replicaA);
    const replicaB = await startService("agent-loop", base.loopEnv, { nodeArgs: replicaNodeArgs });
    started.push(replicaB);
    const a = new AgentLoopServiceClient(replicaA.address, credentials.createInsecure());
    const b = new AgentLoopServiceClient(replicaB.address, credentials.createInsecure());

    return {
      a,
      b,
      services: { a: replicaA, b: replicaB, adapter, store },
      postgres,
      nats,
      metadata: () => bearer(base.apiKey),
      createAgents: (count, settings, parallel) => createAgents(storeClient, () => bearer(base.apiKey), count, settings, parallel),
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
