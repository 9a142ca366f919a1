import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

describe.each(BACKENDS)("auth and API keys (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  it("refuses a call without credentials as UNAUTHENTICATED / INVALID_API_KEY", async () => {
    await expect(store.call("listApiKeys", { organizationId: "", includeRevoked: false, limit: 0, pageToken: "" }, { none: true }))
      .rejects.toMatchObject({ code: Status.UNAUTHENTICATED, reason: "INVALID_API_KEY" });
    await expect(store.call("authenticateApiKey", { key: "x" }, { apiKey: "cdk_not-a-real-key" }))
      .rejects.toMatchObject({ code: Status.UNAUTHENTICATED, reason: "INVALID_API_KEY" });
  });

  it("lets only the admin credential manage organizations and keys", async () => {
    const tenant = await store.newTenant();
    await expect(store.call("createOrganization", { name: "x" }, { apiKey: tenant.apiKey }))
      .rejects.toMatchObject({ code: Status.PERMISSION_DENIED, reason: "ADMIN_CREDENTIAL_REQUIRED" });
    await expect(store.call("createOrganization", { name: "x" }, { internal: true }))
      .rejects.toMatchObject({ code: Status.PERMISSION_DENIED, reason: "ADMIN_CREDENTIAL_REQUIRED" });
  });

  it("resolves a key to its organization for internal callers only", async () => {
    const tenant = await store.newTenant();
    const resolved = await store.call("authenticateApiKey", { key: tenant.apiKey }, { internal: true });
    expect(resolved.organizationId).toBe(tenant.organizationId);
    await expect(store.call("authenticateApiKey", { key: tenant.apiKey }, { apiKey: tenant.apiKey }))
      .rejects.toMatchObject({ code: Status.PERMISSION_DENIED, reason: "INTERNAL_CREDENTIAL_REQUIRED" });
  });

  it("stores keys hashed, lists them without secrets, and refuses a revoked key at once", async () => {
    const tenant = await store.newTenant();
    const list = await store.call(
      "listApiKeys",
      { organizationId: tenant.organizationId, includeRevoked: false, limit: 0, pageToken: "" },
      { admin: true },
    );
    expect(list.apiKeys).toHaveLength(1);
    const key = list.apiKeys[0]!;
    expect(JSON.stringify(list)).not.toContain(tenant.apiKey);
    expect(tenant.apiKey.startsWith(key.keyPrefix)).toBe(true);

    const revoked = await store.call("revokeApiKey", { apiKeyId: key.id }, { admin: true });
    expect(revoked.apiKey?.revokedAt).toBeInstanceOf(Date);
    await expect(store.call("authenticateApiKey", { key: tenant.apiKey }, { internal: true }))
      .rejects.toMatchObject({ code: Status.UNAUTHENTICATED, reason: "INVALID_API_KEY" });
    const again = await store.call("revokeApiKey", { apiKeyId: key.id }, { admin: true });
    expect(again.apiKey?.revokedAt).toEqual(revoked.apiKey?.revokedAt);
  });

  it("pages through keys with opaque tokens", async () => {
    const tenant = await store.newTenant();
    for (let i = 0; i < 4; i++) await store.call("createApiKey", { organizationId: tenant.organizationId, name: `k${i}` }, { admin: true });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await store.call("listApiKeys", { organizationId: tenant.organizationId, includeRevoked: false, limit: 2, pageToken }, { admin: true });
      seen.push(...page.apiKeys.map((k) => k.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["test", "k0", "k1", "k2", "k3"]);
  });

  it("names the bad field and changes nothing on a bad request", async () => {
    await expect(store.call("createApiKey", { organizationId: "not-an-id", name: "k" }, { admin: true }))
      .rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field: "organization_id" } });
    await expect(store.call("createApiKey", { organizationId: "org-00000000-0000-4000-8000-000000000000", name: "k" }, { admin: true }))
      .rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "ORGANIZATION_NOT_FOUND" });
    await expect(store.call("listApiKeys", { organizationId: "org-00000000-0000-4000-8000-000000000000", includeRevoked: false, limit: 2000, pageToken: "" }, { admin: true }))
      .rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "limit" } });
  });
});
