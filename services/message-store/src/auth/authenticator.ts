import type { Metadata } from "@grpc/grpc-js";
import type { DataSource } from "typeorm";
import { ApiKeyRow } from "../db/entities/index.js";
import { bearerToken, sameSecret } from "@conduit/grpc-kit";
import { hashKey } from "./keys.js";
import { ORGANIZATION_HEADER, unauthenticated, type Principal } from "./principal.js";

export interface Credentials {
  /** Manages organizations and keys. Unset: admin RPCs are refused. */
  adminKey?: string;
  /** Held by agent-loop for run control. Unset: internal RPCs are refused. */
  internalKey?: string;
}

/** How often `last_used_at` is written per key, at most: not a write per call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * How long a key found valid is trusted without asking the database again: saves a round
 * trip on every call. A revocation applies at once on the replica that made it (its cache is
 * cleared) and within this time on the others.
 */
export const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX = 10_000;

/** Resolves `authorization: Bearer <credential>` to a principal. */
export class Authenticator {
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly valid = new Map<string, { key: ApiKeyRow; until: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly credentials: Credentials,
  ) {}

  async authenticate(metadata: Metadata): Promise<Principal> {
    const secret = bearerToken(metadata);
    if (!secret) throw unauthenticated("authorization metadata missing: send `authorization: Bearer <api key>`");
    if (this.credentials.adminKey && sameSecret(secret, this.credentials.adminKey)) return { kind: "admin" };
    if (this.credentials.internalKey && sameSecret(secret, this.credentials.internalKey)) {
      const org = metadata.get(ORGANIZATION_HEADER)[0];
      return { kind: "internal", organizationId: typeof org === "string" && org ? org : undefined };
    }
    const key = await this.lookup(secret);
    if (!key) throw unauthenticated("unknown or revoked API key");
    return { kind: "caller", organizationId: key.organizationId, apiKeyId: key.id };
  }

  /** Forgets cached keys, so that a revocation made here applies to the next call. */
  forget(apiKeyId: string): void {
    for (const [hash, entry] of this.valid) if (entry.key.id === apiKeyId) this.valid.delete(hash);
  }

  /** The valid key with this plaintext, if any; records its use. */
  async lookup(plaintext: string): Promise<ApiKeyRow | null> {
    const hash = hashKey(plaintext);
    const now = Date.now();
    const cached = this.valid.get(hash);
    if (cached && cached.until > now) return cached.key;
    const key = await this.db.getRepository(ApiKeyRow).findOneBy({ keyHash: hash });
    if (!key || key.revokedAt) {
      this.valid.delete(hash);
      return null;
    }
    if (this.valid.size >= KEY_CACHE_MAX) this.valid.clear();
    this.valid.set(hash, { key, until: now + KEY_CACHE_TTL_MS });
    if (now - (this.lastUsedWritten.get(key.id) ?? 0) > LAST_USED_RESOLUTION_MS) {
      this.lastUsedWritten.set(key.id, now);
      await this.db.getRepository(ApiKeyRow).update({ id: key.id }, { lastUsedAt: new Date(now) });
    }
    return key;
  }
}
