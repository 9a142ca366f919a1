import { EventEmitter } from "node:events";
import { PGlite, types } from "@electric-sql/pglite";

type Done = (err?: Error) => void;

/**
 * A `pg`-shaped pool over one PGlite instance for TypeORM's postgres driver. PGlite has a
 * single session, so a pool client is that session held exclusively: a transaction started by
 * one query runner can never interleave with another's statements. Clients are handed out in
 * request order. Code inside a transaction must use that transaction's manager only; a second
 * connection requested from inside would wait for the first forever.
 */
export function pglitePoolModule(db: PGlite) {
  let tail: Promise<void> = Promise.resolve();

  // TypeORM listens for "error" on a client, as on a pg client.
  const session = Object.assign(new EventEmitter(), {
    query: async (sql: string, params?: unknown[]) =>
      params && params.length > 0 ? db.query(sql, params) : lastResult(await db.exec(sql)),
  });

  /** Waits for the session; resolves with a release function to call exactly once. */
  function acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => (release = resolve));
    return previous.then(() => release);
  }

  class Pool extends EventEmitter {
    totalCount = 1;
    get idleCount() {
      return 0;
    }
    get waitingCount() {
      return 0;
    }

    connect(callback: (err: Error | null, client: typeof session | null, done: Done) => void): void {
      acquire().then(
        (release) => {
          let released = false;
          callback(null, session, () => {
            if (!released) release();
            released = true;
          });
        },
        (err: Error) => callback(err, null, () => {}),
      );
    }

    async query(sql: string, params?: unknown[]) {
      const release = await acquire();
      try {
        return await session.query(sql, params);
      } finally {
        release();
      }
    }

    end(callback?: (err?: Error) => void): void {
      tail.then(() => db.close()).then(() => callback?.(), (err: Error) => callback?.(err));
    }
  }

  return { Pool };
}

/** `exec` runs many statements and returns a result each; TypeORM wants the last. */
function lastResult<T extends { rows: unknown[] }>(results: T[]): T | { rows: never[]; rowCount: 0; command: "" } {
  return results.at(-1) ?? { rows: [], rowCount: 0, command: "" };
}

/** PGlite with the value parsing of the `pg` driver, so both backends return the same rows. */
export function createPGlite(dataDir: string | undefined): Promise<PGlite> {
  return PGlite.create(dataDir, {
    // pg returns int8 and numeric as strings (no precision loss); PGlite would give bigint.
    parsers: { [types.INT8]: (value: string) => value, [types.NUMERIC]: (value: string) => value },
  });
}
