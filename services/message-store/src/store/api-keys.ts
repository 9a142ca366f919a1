import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import { notFound } from "@conduit/grpc-kit";
import { newApiKey } from "../auth/keys.js";
import { encodePageToken } from "../core/page-token.js";
import { ApiKeyRow, OrganizationRow } from "../db/entities/index.js";

export async function createOrganization(em: EntityManager, name: string): Promise<OrganizationRow> {
  const row = em.create(OrganizationRow, { id: `org-${randomUUID()}`, name, createdAt: new Date() });
  return em.save(row);
}

/** A new key for an organization; the plaintext exists only in the return value. */
export async function createApiKey(
  em: EntityManager,
  organizationId: string,
  name: string,
): Promise<{ row: ApiKeyRow; plaintext: string }> {
  if (!(await em.existsBy(OrganizationRow, { id: organizationId }))) throw notFound("organization", organizationId);
  const key = newApiKey();
  const row = em.create(ApiKeyRow, {
    id: `apikey-${randomUUID()}`,
    organizationId,
    name,
    keyPrefix: key.prefix,
    keyHash: key.hash,
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  });
  return { row: await em.save(row), plaintext: key.plaintext };
}

export async function listApiKeys(
  em: EntityManager,
  q: { organizationId: string; includeRevoked: boolean; limit: number; after: string | undefined },
): Promise<{ rows: ApiKeyRow[]; nextPageToken: string }> {
  const query = em
    .createQueryBuilder(ApiKeyRow, "k")
    .where("k.organization_id = :org", { org: q.organizationId })
    .orderBy("k.seq", "ASC")
    .limit(q.limit + 1);
  if (!q.includeRevoked) query.andWhere("k.revoked_at IS NULL");
  if (q.after) query.andWhere("k.seq > :after", { after: q.after });
  const rows = await query.getMany();
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return { rows: page, nextPageToken: more ? encodePageToken(page.at(-1)!.seq) : "" };
}

/** Idempotent: revoking a revoked key keeps its first revocation time. */
export async function revokeApiKey(em: EntityManager, id: string): Promise<ApiKeyRow> {
  await em
    .createQueryBuilder()
    .update(ApiKeyRow)
    .set({ revokedAt: () => "now()" })
    .where("id = :id AND revoked_at IS NULL", { id })
    .execute();
  const row = await em.findOneBy(ApiKeyRow, { id });
  if (!row) throw notFound("api_key", id);
  return row;
}

