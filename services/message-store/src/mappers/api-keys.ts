import type { ApiKey, Organization } from "@conduit/proto/store/v1";
import type { ApiKeyRow, OrganizationRow } from "../db/entities/index.js";

export const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt,
});

export const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  organizationId: row.organizationId,
  name: row.name,
  keyPrefix: row.keyPrefix,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt ?? undefined,
  revokedAt: row.revokedAt ?? undefined,
});
