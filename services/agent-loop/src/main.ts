import { runService } from "@conduit/grpc-kit";
import { openBus } from "./adapters/bus.js";
import { CallerAuth } from "./adapters/caller-auth.js";
import { ToolExecutorClients } from "./adapters/external-tools.js";
import { ChatHttpServer } from "./adapters/http-chat.js";
import { systemClock, uuidIds } from "./adapters/ids.js";
import { JetStreamEventLog } from "./adapters/jetstream-event-log.js";
import { ProviderAdapterModel } from "./adapters/model-client.js";
import { StoreConnection } from "./adapters/store-client.js";
import { envSchema } from "./config.js";
import type { RunEventLog } from "./runs/event-log.js";
import { LeaseRenewal } from "./runs/lease-renewal.js";
import { MemoryEventLog } from "./runs/memory-event-log.js";
import { RunHost } from "./runs/run-host.js";
import { Sweeper } from "./runs/sweeper.js";
import { createServer } from "./server.js";

await runService({
  // Its callers' trace goes on to message-store and provider-adapter.
  callsServices: true,
  name: "agent-loop",
  env: envSchema,
  async start(env, log) {
    // The bus reports disconnects before the server exists; health picks them up from then on.
    let refreshHealth = () => {};
    const bus = await openBus(env.NATS_URL, log, () => refreshHealth());
    const eventLog: RunEventLog = env.NATS_URL
      ? await JetStreamEventLog.open(env.NATS_URL, env.CONDUIT_RUN_EVENTS_MAX_AGE_MS, log)
      : new MemoryEventLog(env.CONDUIT_RUN_EVENTS_MAX_AGE_MS);
    const store = new StoreConnection(env.CONDUIT_MESSAGE_STORE_ADDRESS, env.CONDUIT_INTERNAL_KEY);
    const model = new ProviderAdapterModel(env.CONDUIT_PROVIDER_ADAPTER_ADDRESS, env.CONDUIT_INTERNAL_KEY);
    const external = new ToolExecutorClients(env.CONDUIT_EXTERNAL_TOOL_TIMEOUT_MS);
    const replicaId = env.CONDUIT_REPLICA_ID;
    const runs = new RunHost({
      store,
      bus,
      eventLog,
      model,
      external,
      ids: uuidIds,
      clock: systemClock,
      log,
      replicaId,
      leaseTtlMs: env.CONDUIT_RUN_LEASE_MS,
      persistTimeoutMs: 10_000,
    });
    const leases = new LeaseRenewal({ store: store.global(), runs, log, replicaId, leaseTtlMs: env.CONDUIT_RUN_LEASE_MS });
    const sweeper = new Sweeper({ store, eventLog, bus, log, intervalMs: env.CONDUIT_SWEEP_INTERVAL_MS });
    const auth = new CallerAuth(store);
    let http: ChatHttpServer | undefined;
    if (env.CONDUIT_HTTP_PORT !== undefined) {
      http = new ChatHttpServer({ auth, runs, log });
      log.info({ address: await http.listen(env.CONDUIT_HOST, env.CONDUIT_HTTP_PORT) }, "http serving");
    }
    const server = createServer({
      log,
      bus,
      auth,
      store,
      runs,
      eventLog,
      ids: uuidIds,
      cancelConfirmMs: env.CONDUIT_CANCEL_CONFIRM_MS,
      healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS,
    });
    refreshHealth = () => void server.health.refresh();
    log.info({ replica: replicaId }, "agent-loop replica ready");
    return {
      server,
      async close() {
        // Background runs have no stream to end them: cancel them too, with their terminal events.
        sweeper.stop();
        await runs.cancelAll();
        await http?.close();
        leases.stop();
        await eventLog.close();
        store.close();
        model.close();
        external.close();
        await bus.close();
      },
    };
  },
});
