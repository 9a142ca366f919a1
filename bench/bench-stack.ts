// What the benchmarks that start the whole stack share: agents made before timing, and an
// orderly stop.
import type { Metadata } from "@grpc/grpc-js";
import { callUnary } from "@conduit/grpc-kit";
import { Agent, type ModelSettings } from "@conduit/proto/agent/v1";
import type { MessageStoreServiceClient } from "@conduit/proto/store/v1";
import type { RunningService, ThrowawayNats, ThrowawayPostgres } from "@conduit/testing";

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
