import { runService } from "@conduit/grpc-kit";
import { openDatabase } from "./db/data-source.js";
import { envSchema } from "./config.js";
import { createServer } from "./server.js";

await runService({
  name: "message-store",
  env: envSchema,
  async start(env, log) {
    const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.CONDUIT_DATA_DIR, log });
    const server = createServer({ log, database, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS });
    return { server, close: () => database.close() };
  },
});
