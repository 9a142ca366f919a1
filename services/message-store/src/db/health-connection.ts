import pg from "pg";

/** How the health connection names itself to Postgres (`pg_stat_activity.application_name`). */
export const HEALTH_APPLICATION_NAME = "conduit-store-health";

/**
 * The health probe's own Postgres connection, outside the pool. Through the pool, a probe
 * waited behind every busy query: a store under load looked down (NOT_SERVING) while its
 * database answered. A connection that fails is dropped and made again at the next check.
 */
export class HealthConnection {
  private client: Promise<pg.Client> | undefined;

  constructor(private readonly url: string) {}

  /** Resolves when the database answers `SELECT 1`; rejects when it does not, or when `signal` aborts first. */
  async check(signal: AbortSignal): Promise<void> {
    const client = (this.client ??= this.connect());
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    try {
      await Promise.race([client.then((c) => c.query("SELECT 1")), aborted]);
    } catch (err) {
      this.drop(client);
      throw err;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.then((c) => c.end()).catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, application_name: HEALTH_APPLICATION_NAME });
    // A connection that breaks between checks must not take the process with it.
    client.on("error", () => this.drop(Promise.resolve(client)));
    await client.connect();
    return client;
  }

  private drop(client: Promise<pg.Client>): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.then((c) => c.end()).catch(() => undefined);
  }
}
