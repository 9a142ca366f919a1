import { bearerToken, ServiceError, Status, type CallContext } from "@conduit/grpc-kit";
import type { StoreConnection } from "./store-client.js";

/** How long a key that worked is trusted without asking the store again. */
const POSITIVE_TTL_MS = 5_000;

/** Resolves callers' API keys to their organization through the message store, briefly cached. */
export class CallerAuth {
  private readonly known = new Map<string, { organizationId: string; until: number }>();

  constructor(private readonly store: StoreConnection) {}

  async organizationOf(ctx: CallContext): Promise<string> {
    const key = bearerToken(ctx.metadata);
    if (!key) throw new ServiceError(Status.UNAUTHENTICATED, "INVALID_API_KEY", "missing `authorization: Bearer <api key>` metadata");
    return this.organizationOfKey(key, ctx.signal);
  }

  async organizationOfKey(key: string, signal: AbortSignal): Promise<string> {
    const hit = this.known.get(key);
    if (hit && hit.until > Date.now()) return hit.organizationId;
    const organizationId = await this.store.authenticate(key, { signal });
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(key, { organizationId, until: Date.now() + POSITIVE_TTL_MS });
    return organizationId;
  }
}
