import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { address, millis, optionalPort, serviceEnv, url } from "@conduit/config";

export const envSchema = z.object({
  ...serviceEnv(50051),
  /** Distributed mode: cancels and run events over NATS. Unset: the in-process bus. */
  NATS_URL: url(["nats", "tls"]).optional(),
  /** The OpenAI-compatible HTTP endpoint (`POST /v1/chat/completions`); unset: none, 0: a free port. */
  CONDUIT_HTTP_PORT: optionalPort(),
  CONDUIT_MESSAGE_STORE_ADDRESS: address("127.0.0.1:50052"),
  CONDUIT_PROVIDER_ADAPTER_ADDRESS: address("127.0.0.1:50053"),
  /** The credential run control needs at the message store (and provider-adapter, when it asks). */
  CONDUIT_INTERNAL_KEY: z.string().min(16, { error: "expected a secret of at least 16 characters" }),
  /** This replica's name as the owner of its runs; unique per process by default. */
  CONDUIT_REPLICA_ID: z.string().min(1).max(200).default(() => `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`),
  /** How long a run's owner lease lasts without renewal. */
  CONDUIT_RUN_LEASE_MS: millis(30_000).pipe(z.number().min(1000, { error: "expected at least 1000 ms" })),
  /** How long one call of an EXTERNAL tool may take. */
  CONDUIT_EXTERNAL_TOOL_TIMEOUT_MS: millis(300_000),
  /** How long a background run's events stay in the event log. */
  CONDUIT_RUN_EVENTS_MAX_AGE_MS: millis(3 * 60 * 60 * 1000),
  /** How often this replica looks for runs whose owner stopped renewing its lease. */
  CONDUIT_SWEEP_INTERVAL_MS: millis(5_000),
  /** How long CancelRun waits for the owning replica to confirm before returning the run as it is. */
  CONDUIT_CANCEL_CONFIRM_MS: millis(5_000),
});

export type Env = z.infer<typeof envSchema>;
