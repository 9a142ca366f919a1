import "reflect-metadata";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataSource } from "typeorm";
import { PGliteDriver } from "typeorm-pglite";
import type { Logger } from "@conduit/logging";

export interface Database {
  readonly kind: "postgres" | "pglite";
  readonly dataSource: DataSource;
  /** Throws while the database does not answer (for health). */
  check(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL when a URL is given; otherwise PGlite in this process, persisted under dataDir. */
export async function openDatabase(opts: { url?: string; dataDir: string; log: Logger }): Promise<Database> {
  const common = { type: "postgres" as const, entities: [], migrations: [], synchronize: false };
  let dataSource: DataSource;
  if (opts.url) {
    dataSource = new DataSource({ ...common, url: opts.url, extra: { max: 10, connectionTimeoutMillis: 5_000 } });
  } else {
    const dir = resolve(join(opts.dataDir, "pglite"));
    mkdirSync(dir, { recursive: true });
    // PGlite has no extensions to install; TypeORM would otherwise try uuid-ossp.
    dataSource = new DataSource({ ...common, driver: new PGliteDriver({ dataDir: dir }).driver, installExtensions: false });
  }
  await dataSource.initialize();
  const kind = opts.url ? "postgres" : "pglite";
  opts.log.info({ database: kind }, "database ready");
  return {
    kind,
    dataSource,
    async check(signal) {
      await Promise.race([
        dataSource.query("SELECT 1"),
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
      ]);
    },
    close: () => dataSource.destroy(),
  };
}
