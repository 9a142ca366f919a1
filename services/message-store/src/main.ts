import { runService } from "@conduit/grpc-kit";
import { Authenticator } from "./auth/authenticator.js";
import { envSchema } from "./config.js";
import { openDatabase } from "./db/data-source.js";
import { ensureDevKey } from "./dev-key.js";
import { createServer } from "./server.js";

await runService({
  name: "message-store",
  env: envSchema,
  async start(env, log) {
    const database = await openDatabase({
      url: env.DATABASE_URL,
      dataDir: env.CONDUIT_DATA_DIR,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
      log,
    });
    const credentials = { adminKey: env.CONDUIT_ADMIN_KEY, internalKey: env.CONDUIT_INTERNAL_KEY };
    if (env.CONDUIT_DEV_KEY_FILE) {
      await ensureDevKey(database.dataSource, new Authenticator(database.dataSource, credentials), env.CONDUIT_DEV_KEY_FILE, log);
    }
    const server = createServer({ log, database, credentials, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS });
    return { server, close: () => database.close() };
  },
});
