import pg from "pg";
import type { StatementNames } from "./statement-names.js";

type Query = pg.Client["query"];
type Settled = (this: pg.Client, config: unknown, values: unknown) => Promise<unknown>;

const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * A pg Client class for the store's pool (`extra.Client`). Two changes to the promise form of
 * `query`, the one TypeORM calls:
 * - It settles through pg's callback form. The promise form keeps each result reachable after
 *   the call: with 30 KB results, 8 MB survived each young-generation collection (2 KB through
 *   the callback), and the store paused 6–14 ms at each to copy them.
 * - Statements with parameters run as prepared statements named by `statements`, so Postgres
 *   parses and plans each text once per connection.
 */
export function pgClientClass(statements: StatementNames): typeof pg.Client {
  class PgClient extends pg.Client {}
  PgClient.prototype.query = function (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) {
    const withCallback =
      typeof callback === "function" ||
      typeof values === "function" ||
      typeof (config as { submit?: unknown } | null)?.submit === "function";
    if (withCallback) return query.call(this, config, values, callback);
    const text = typeof config === "string" && Array.isArray(values) && values.length > 0 ? config : undefined;
    const name = text === undefined ? undefined : statements.nameOf(text);
    if (name === undefined) return settled.call(this, config, values);
    const autocommit = this.getTransactionStatus() === "I";
    return settled.call(this, { name, text }, values).catch((err: unknown) => {
      if (!isStalePlan(err)) throw err;
      // The table changed shape under the prepared form (a migration by a newer replica).
      statements.forget(text!);
      // Outside a transaction nothing ran: send it again unnamed. Inside, the transaction failed.
      if (!autocommit) throw err;
      return settled.call(this, text, values);
    });
  } as Query;
  return PgClient;
}

const settled: Settled = function (config, values) {
  return new Promise((resolve, reject) => {
    query.call(this, config, values, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res)));
  });
};

/** Postgres refuses a prepared statement whose result columns changed since it was prepared. */
function isStalePlan(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  return code === "0A000" && typeof message === "string" && message.includes("cached plan must not change result type");
}
