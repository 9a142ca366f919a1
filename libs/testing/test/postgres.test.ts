import { existsSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, startPostgres, type ThrowawayPostgres } from "../src/index.js";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("startPostgres", () => {
  let server: ThrowawayPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("serves an empty conduit database on 127.0.0.1", async () => {
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/conduit`);
    const [row] = await query<{ db: string; fsync: string }>(
      server.url,
      "select current_database() as db, current_setting('fsync') as fsync",
    );
    expect(row).toEqual({ db: "conduit", fsync: "off" });
  });

  it("createDatabase gives each caller its own database on the shared server", async () => {
    const [first, second] = await Promise.all([createDatabase(server.url), createDatabase(server.url)]);
    expect(first).not.toBe(second);
    await query(first, "create table runs (id int)");
    const tables = await query(second, "select 1 from pg_tables where tablename = 'runs'");
    expect(tables).toEqual([]);
    expect(await createDatabase(server.url, "named_db")).toBe(
      `postgres://postgres@127.0.0.1:${server.port}/named_db`,
    );
  });

  it("createDatabase refuses a name that would need quoting", async () => {
    await expect(createDatabase(server.url, 'x"; drop')).rejects.toThrow(/invalid database name/);
  });
});

describe("ThrowawayPostgres lifecycle", () => {
  it("pause refuses connections and resume serves the same data again", async () => {
    const server = await startPostgres();
    try {
      await query(server.url, "create table events (seq int); insert into events values (7)");
      const firstPid = server.pid!;
      await server.pause();
      expect(server.pid).toBeUndefined();
      expect(() => process.kill(firstPid, 0)).toThrow();
      await expect(query(server.url, "select 1")).rejects.toThrow(/ECONNREFUSED/);
      await server.resume();
      expect(await query(server.url, "select seq from events")).toEqual([{ seq: 7 }]);
    } finally {
      await server.stop();
    }
  });

  it("stop ends the postmaster and its backends and removes the directory", async () => {
    const server = await startPostgres();
    const client = new pg.Client({ connectionString: server.url });
    client.on("error", () => {}); // the server going away is the point of this test
    await client.connect();
    const postmaster = server.pid!;
    try {
      const [row] = (await client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows;
      const backend = row!.pid;
      expect(existsSync(server.dir)).toBe(true);
      await server.stop();
      expect(() => process.kill(postmaster, 0)).toThrow();
      expect(() => process.kill(backend, 0)).toThrow();
      expect(existsSync(server.dir)).toBe(false);
    } finally {
      await server.stop();
      await client.end().catch(() => {});
    }
  });
});
