import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "@conduit/testing";
import { PgClient } from "../src/db/pg-client.js";

// The store's Postgres pool builds PgClients: every form of query must behave as pg's own.
describe("PgClient", () => {
  let client: PgClient;
  beforeAll(async () => {
    client = new PgClient({ connectionString: await createDatabase(inject("pgUrl")) });
    await client.connect();
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
});
