import { z } from "zod";
import { invalidArgument } from "@conduit/grpc-kit";
import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import { unauthenticated } from "../auth/principal.js";
import { decodePageToken } from "../core/page-token.js";
import { toApiKey, toOrganization } from "../mappers/api-keys.js";
import { createApiKey, createOrganization, listApiKeys, revokeApiKey } from "../store/api-keys.js";
import { rpc, type HandlerDeps } from "./rpc.js";
import { apiKeyId, displayName, organizationId, pageSize } from "./schemas.js";

/** Organizations and API keys (admin), and key resolution for other services (internal). */
export function apiKeyHandlers(deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {
    createOrganization: rpc.admin(deps, "CreateOrganization", z.object({ name: displayName }), async (input, { db }) => ({
      organization: toOrganization(await createOrganization(db.manager, input.name)),
    })),

    createApiKey: rpc.admin(
      deps,
      "CreateApiKey",
      z.object({ organizationId, name: displayName }),
      async (input, { db }) => {
        const { row, plaintext } = await createApiKey(db.manager, input.organizationId, input.name);
        return { apiKey: toApiKey(row), plaintextKey: plaintext };
      },
    ),

    listApiKeys: rpc.admin(
      deps,
      "ListApiKeys",
      z.object({ organizationId, includeRevoked: z.boolean(), limit: pageSize(50), pageToken: z.string() }),
      async (input, { db }) => {
        const after = input.pageToken ? decodePageToken(input.pageToken) : undefined;
        if (input.pageToken && !after) throw invalidArgument("page_token", "not a page token from this RPC");
        const page = await listApiKeys(db.manager, { ...input, after });
        return { apiKeys: page.rows.map(toApiKey), nextPageToken: page.nextPageToken };
      },
    ),

    revokeApiKey: rpc.admin(deps, "RevokeApiKey", z.object({ apiKeyId }), async (input, { db }) => {
      const row = await revokeApiKey(db.manager, input.apiKeyId);
      deps.auth.forget(row.id);
      return { apiKey: toApiKey(row) };
    }),

    authenticateApiKey: rpc.internal(
      deps,
      "AuthenticateApiKey",
      z.object({ key: z.string().min(1, { error: "must not be empty" }).max(200) }),
      async (input) => {
        const key = await deps.auth.lookup(input.key);
        if (!key) throw unauthenticated("unknown or revoked API key");
        return { organizationId: key.organizationId, apiKeyId: key.id };
      },
    ),
  };
}
