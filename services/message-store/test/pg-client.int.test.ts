import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "@conduit/testing";
import { pgClientClass } from "../src/db/pg-client.js";
import { StatementNames } from "../src/db/statement-names.js";

async function connect(url: string, statements = new StatementNames(200)): Promise<pg.Client> {
  const client = new (pgClientClass(statements))({ connectionString: url });
  await client.connect();
  return client;
}

/** Names of the statements this connection has prepared. */
async function prepared(client: pg.Client): Promise<string[]> {
  const res = await client.query<{ name: string }>("SELECT name FROM pg_prepared_statements ORDER BY name");
  return res.rows.map((r) => r.name);
}

// The store's Postgres pool builds these clients: every form of query must behave as pg's own.
describe("the store's pg client", () => {
  let url: string;
  let client: pg.Client;
  beforeAll(async () => {
    url = await createDatabase(inject("pgUrl"));
    client = await connect(url);
  });
  afterAll(() => client.end());

  it("answers the promise form with pg's result", async () => {
    const res = await client.query("SELECT $1::text AS a, 2 AS b", ["x"]);
    expect(res.rows).toEqual([{ a: "x", b: 2 }]);
    expect(res.rowCount).toBe(1);
    expect(res.fields.map((f) => f.name)).toEqual(["a", "b"]);
  });

  it("answers the promise form of a config object and of a query without values", async () => {
    expect((await client.query({ text: "SELECT $1::int AS n", values: [7] })).rows).toEqual([{ n: 7 }]);
    expect((await client.query({ text: "SELECT 1 AS one", rowMode: "array" })).rows).toEqual([[1]]);
    expect((await client.query("SELECT 'y' AS a")).rows).toEqual([{ a: "y" }]);
  });

  it("rejects the promise form with the database's error", async () => {
    const err = await client.query("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe("42P01");
    // The connection is still usable after the error.
    expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("keeps the callback forms", async () => {
    const withValues = await new Promise<pg.QueryResult>((resolve, reject) =>
      client.query("SELECT $1::text AS a", ["cb"], (err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(withValues.rows).toEqual([{ a: "cb" }]);
    const withoutValues = await new Promise<pg.QueryResult>((resolve, reject) =>
      client.query("SELECT 'cb2' AS a", (err: Error, res: pg.QueryResult) => (err ? reject(err) : resolve(res))),
    );
    expect(withoutValues.rows).toEqual([{ a: "cb2" }]);
  });

  it("keeps a submittable query (events, no promise)", async () => {
    const query = new pg.Query("SELECT generate_series(1, 3) AS n");
    const rows: unknown[] = [];
    query.on("row", (row: unknown) => rows.push(row));
    const ended = new Promise((resolve, reject) => {
      query.on("end", resolve);
      query.on("error", reject);
    });
    expect(client.query(query)).toBe(query);
    await ended;
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("prepares a statement from its second use and then executes it by name", async () => {
    const own = await connect(url);
    try {
      const text = "SELECT $1::int + 1 AS n";
      expect((await own.query(text, [1])).rows).toEqual([{ n: 2 }]);
      expect(await prepared(own)).toEqual([]);
      expect((await own.query(text, [2])).rows).toEqual([{ n: 3 }]);
      const names = await prepared(own);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^conduit_[0-9a-f]{24}$/);
      expect((await own.query(text, [3])).rows).toEqual([{ n: 4 }]);
      expect(await prepared(own)).toEqual(names);
    } finally {
      await own.end();
    }
  });

  it("prepares no more texts than its limit", async () => {
    const own = await connect(url, new StatementNames(2));
    try {
      for (const k of [1, 2, 3]) {
        for (let use = 0; use < 3; use++) expect((await own.query(`SELECT $1::int * ${k} AS n`, [2])).rows).toEqual([{ n: 2 * k }]);
      }
      expect(await prepared(own)).toHaveLength(2);
    } finally {
      await own.end();
    }
  });

  /** A table whose one-row query `own` has prepared, then a column added to it by another session; the query's text. */
  async function reshapedUnder(own: pg.Client, table: string): Promise<string> {
    await own.query(`CREATE TABLE ${table} (a int)`);
    await own.query(`INSERT INTO ${table} VALUES (1)`);
    const text = `SELECT * FROM ${table} WHERE a = $1`;
    await own.query(text, [1]);
    await own.query(text, [1]);
    expect(await prepared(own)).toHaveLength(1);
    await client.query(`ALTER TABLE ${table} ADD COLUMN b int DEFAULT 5`);
    return text;
  }

  it("runs a statement unnamed again once its table changed shape, outside a transaction", async () => {
    const own = await connect(url);
    try {
      const text = await reshapedUnder(own, "reshaped");
      expect((await own.query(text, [1])).rows).toEqual([{ a: 1, b: 5 }]);
      expect((await own.query(text, [1])).rows).toEqual([{ a: 1, b: 5 }]);
    } finally {
      await own.end();
    }
  });

  it("fails the transaction whose prepared statement went stale, and sends it unnamed from then on", async () => {
    const own = await connect(url);
    try {
      const text = await reshapedUnder(own, "reshaped_in_tx");
      await own.query("BEGIN");
      const err = await own.query(text, [1]).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe("0A000");
      await own.query("ROLLBACK");
      // Unnamed from now on: a transaction no longer meets the stale form.
      await own.query("BEGIN");
      expect((await own.query(text, [1])).rows).toEqual([{ a: 1, b: 5 }]);
      await own.query("COMMIT");
    } finally {
      await own.end();
    }
  });
});
