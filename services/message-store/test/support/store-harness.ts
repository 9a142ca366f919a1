import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, Metadata } from "@grpc/grpc-js";
import { inject } from "vitest";
import { callUnary, releasedClient } from "@conduit/grpc-kit";
import { Agent } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient, type MessageStoreServiceService } from "@conduit/proto/store/v1";
import { createDatabase, startService, type RunningService } from "@conduit/testing";

/** The same suites run against both backends: one code path, two databases. */
export const BACKENDS = ["postgres", "pglite"] as const;
export type Backend = (typeof BACKENDS)[number];

type Client = InstanceType<typeof MessageStoreServiceClient>;
/** Request and response types of each RPC, read off the generated service definition. */
type Definition = typeof MessageStoreServiceService;
type UnaryMethods = {
  [K in keyof Definition]: Definition[K] extends {
    requestSerialize: (value: infer Req) => Buffer;
    responseDeserialize: (value: Buffer) => infer Res;
  }
    ? [Req, Res]
    : never;
};
type Method = keyof Definition;

/** Who a call is made as. */
export type As = { apiKey: string } | { internal: true; organizationId?: string } | { admin: true } | { none: true };

export interface StoreHarness {
  readonly backend: Backend;
  readonly address: string;
  readonly process: RunningService;
  /** The database the store uses, on the postgres backend: for staging what only SQL can. */
  readonly databaseUrl: string | undefined;
  /** Calls an RPC as someone; failures reject with a ServiceError (code, reason, metadata). */
  call<M extends Method>(method: M, request: UnaryMethods[M][0], as: As): Promise<UnaryMethods[M][1]>;
  /** A fresh organization with one API key, so tests never see each other's rows. */
  newTenant(): Promise<{ organizationId: string; apiKey: string }>;
  /** A fresh organization with one agent, and the internal credential that acts for it. */
  newAgentTenant(): Promise<AgentTenant>;
  stop(): Promise<void>;
}

export interface AgentTenant {
  organizationId: string;
  apiKey: string;
  agentId: string;
  internal: { internal: true; organizationId: string };
}

export function metadataFor(as: As, secrets: { adminKey: string; internalKey: string }): Metadata {
  const md = new Metadata();
  if ("apiKey" in as) md.set("authorization", `Bearer ${as.apiKey}`);
  if ("admin" in as) md.set("authorization", `Bearer ${secrets.adminKey}`);
  if ("internal" in as) {
    md.set("authorization", `Bearer ${secrets.internalKey}`);
    if (as.organizationId) md.set("conduit-organization-id", as.organizationId);
  }
  return md;
}

/** Starts a real message-store process on the given backend (a fresh database each time). */
export async function startStore(backend: Backend, env: Record<string, string> = {}): Promise<StoreHarness> {
  const secrets = { adminKey: randomBytes(24).toString("hex"), internalKey: randomBytes(24).toString("hex") };
  const dataDir = mkdtempSync(join(tmpdir(), "conduit-store-"));
  const database = backend === "postgres" ? { DATABASE_URL: await createDatabase(inject("pgUrl")) } : { DATABASE_URL: "" };
  const proc = await startService("message-store", {
    CONDUIT_PORT: "0",
    CONDUIT_DATA_DIR: dataDir,
    CONDUIT_ADMIN_KEY: secrets.adminKey,
    CONDUIT_INTERNAL_KEY: secrets.internalKey,
    ...database,
    ...env,
  }, { timeoutMs: 60_000 });
  const client = new (releasedClient(MessageStoreServiceClient))(proc.address, credentials.createInsecure());
  const call: StoreHarness["call"] = (method, request, as) => {
    const fn = (client[method as keyof Client] as (...args: never[]) => unknown).bind(client);
    return callUnary(fn as never, request, { metadata: metadataFor(as, secrets), timeoutMs: 30_000 });
  };
  const newTenant = async () => {
    const { organization } = await call("createOrganization", { name: "tenant" }, { admin: true });
    const { plaintextKey } = await call("createApiKey", { organizationId: organization!.id, name: "test" }, { admin: true });
    return { organizationId: organization!.id, apiKey: plaintextKey };
  };
  return {
    backend,
    address: proc.address,
    process: proc,
    databaseUrl: database.DATABASE_URL || undefined,
    call,
    newTenant,
    async newAgentTenant() {
      const tenant = await newTenant();
      const { agent } = await call("createAgent", { agent: Agent.fromPartial({ name: "a" }) }, { apiKey: tenant.apiKey });
      return { ...tenant, agentId: agent!.id, internal: { internal: true, organizationId: tenant.organizationId } };
    },
    async stop() {
      client.close();
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
