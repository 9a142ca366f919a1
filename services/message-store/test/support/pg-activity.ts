import type pg from "pg";

/**
 * Resolves once at least `count` sessions of `client`'s database wait on a lock, those running
 * a statement that contains `statement` when given. Ask from outside any transaction:
 * pg_stat_activity does not change within one.
 */
export async function lockWaiters(client: pg.Client, count: number, statement?: string): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND ($1::text IS NULL OR strpos(query, $1) > 0)`,
      [statement ?? null],
    );
    if (rows[0]!.n >= count) return;
  }
}
