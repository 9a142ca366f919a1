import "reflect-metadata";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataSource, type DataSourceOptions } from "typeorm";
import type { Logger } from "@conduit/logging";
import { ENTITIES } from "./entities/index.js";
import { MIGRATIONS } from "./migrations/index.js";
import { HealthConnection } from "./health-connection.js";
import { pgClientClass } from "./pg-client.js";
import { createPGlite, pglitePoolModule } from "./pglite-pool.js";
import { DEFAULT_PREPARED_STATEMENTS, StatementNames } from "./statement-names.js";

/** Connections in the store's Postgres pool. */
export const POOL_SIZE = 20;

export interface Database {
  readonly kind: "postgres" | "pglite";
  readonly dataSource: DataSource;
  /** Throws while the database does not answer (for health). */
  check(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; unset means embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its data (`<dataDir>/pglite`); unset with no url means in memory. */
  dataDir?: string;
  /** PostgreSQL: how many statement texts each connection may prepare (0: none). */
  preparedStatements?: number;
  log: Logger;
}

/**
 * Opens the database and brings its schema up to date (migrations are idempotent: each runs
 * once, recorded in the `migrations` table). PostgreSQL when a URL is given; otherwise PGlite
 * in this process. Both go through TypeORM's postgres driver: one code path.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const common = {
    type: "postgres",
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    // PGlite has no extensions to install, and the schema needs none.
    installExtensions: false,
  } satisfies Partial<DataSourceOptions>;
  let dataSource: DataSource;
  let health: HealthConnection | undefined;
  if (opts.url) {
    health = new HealthConnection(opts.url);
    const Client = pgClientClass(new StatementNames(opts.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS));
    dataSource = new DataSource({ ...common, url: opts.url, extra: { max: POOL_SIZE, connectionTimeoutMillis: 5_000, Client } });
  } else {
    const dir = opts.dataDir ? resolve(join(opts.dataDir, "pglite")) : undefined;
    if (dir) mkdirSync(dir, { recursive: true });
    dataSource = new DataSource({ ...common, driver: pglitePoolModule(await createPGlite(dir)) });
  }
  await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: "each" });
  const kind = opts.url ? "postgres" : "pglite";
  opts.log.info({ database: kind, migrations_applied: applied.map((m) => m.name) }, "database ready");
  return {
    kind,
    dataSource,
    async check(signal) {
      // PGlite has one session, shared by every query: there the probe waits its turn.
      if (health) return health.check(signal);
      await Promise.race([
        dataSource.query("SELECT 1"),
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
      ]);
    },
    async close() {
      await health?.close();
      await dataSource.destroy();
    },
  };
}
