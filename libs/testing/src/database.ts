import { randomBytes } from "node:crypto";
import pg from "pg";

// Quoted in SQL below, so only names that need no escaping are accepted.
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates an empty database on the server behind `pgUrl` and returns its URL,
 * so each test file can work in isolation on one shared server.
 */
export async function createDatabase(
  pgUrl: string,
  name = `test_${randomBytes(6).toString("hex")}`,
): Promise<string> {
  if (!DATABASE_NAME.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: use a-z, 0-9 and _ (at most 63)`);
  }
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
