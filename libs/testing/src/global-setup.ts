import type { TestProject } from "vitest/node";
import { startNats, type ThrowawayNats } from "./nats.js";
import { startPostgres, type ThrowawayPostgres } from "./postgres/throwaway-postgres.js";
import "./provided-context.js";

let postgres: ThrowawayPostgres | undefined;
let nats: ThrowawayNats | undefined;

/** vitest globalSetup: one Postgres and one NATS (JetStream) for the whole run. */
export async function setup(project: TestProject): Promise<void> {
  const [pg, bus] = await Promise.allSettled([startPostgres(), startNats()]);
  if (pg.status === "fulfilled") postgres = pg.value;
  if (bus.status === "fulfilled") nats = bus.value;
  if (!postgres || !nats) {
    await teardown();
    const reasons = [pg, bus].flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    throw new AggregateError(reasons, "global setup could not start Postgres and NATS");
  }
  project.provide("pgUrl", postgres.url);
  project.provide("natsUrl", nats.url);
}

export async function teardown(): Promise<void> {
  const results = await Promise.allSettled([postgres?.stop(), nats?.stop()]);
  postgres = undefined;
  nats = undefined;
  const reasons = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
  if (reasons.length > 0) throw new AggregateError(reasons, "global teardown failed");
}
