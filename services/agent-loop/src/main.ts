import { runService } from "@conduit/grpc-kit";
import { openBus } from "./adapters/bus.js";
import { CallerAuth } from "./adapters/caller-auth.js";
import { systemClock, uuidIds } from "./adapters/ids.js";
import { ProviderAdapterModel } from "./adapters/model-client.js";
import { StoreConnection } from "./adapters/store-client.js";
import { envSchema } from "./config.js";
import { RunHost } from "./runs/run-host.js";
import { createServer } from "./server.js";

await runService({
  name: "agent-loop",
  env: envSchema,
  async start(env, log) {
    // The bus reports disconnects before the server exists; health picks them up from then on.
    let refreshHealth = () => {};
    const bus = await openBus(env.NATS_URL, log, () => refreshHealth());
    const store = new StoreConnection(env.CONDUIT_MESSAGE_STORE_ADDRESS, env.CONDUIT_INTERNAL_KEY);
    const model = new ProviderAdapterModel(env.CONDUIT_PROVIDER_ADAPTER_ADDRESS, env.CONDUIT_INTERNAL_KEY);
    const runs = new RunHost({
      store,
      model,
      ids: uuidIds,
      clock: systemClock,
      log,
      replicaId: env.CONDUIT_REPLICA_ID,
      leaseTtlMs: env.CONDUIT_RUN_LEASE_MS,
      persistTimeoutMs: 10_000,
    });
    const server = createServer({ log, bus, auth: new CallerAuth(store), store, runs, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS });
    refreshHealth = () => void server.health.refresh();
    log.info({ replica: env.CONDUIT_REPLICA_ID }, "agent-loop replica ready");
    return {
      server,
      async close() {
        await runs.cancelAll();
        store.close();
        model.close();
        await bus.close();
      },
    };
  },
});
