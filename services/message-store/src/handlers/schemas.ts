import { z } from "zod";

/** Limits every handler shares; the service README documents them. */
export const LIMITS = {
  /** Largest page any listing returns. */
  maxPageSize: 1000,
  /** Most messages in one AppendMessages or CommitStep. */
  maxBatch: 1000,
  /** Largest message, as its JSON encoding. */
  maxMessageBytes: 1024 * 1024,
  /** Largest text field (system prompt, block value, description). */
  maxTextChars: 1_000_000,
} as const;

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** An id of the form `<kind>-<uuid>`. */
export const idOf = (kind: string) =>
  z.string().regex(new RegExp(`^${kind}-${UUID}$`), { error: `expected a ${kind} id (${kind}-<uuid>)` });

export const agentId = idOf("agent");
export const runId = idOf("run");
export const messageId = idOf("message");
export const stepId = idOf("step");
export const organizationId = idOf("org");
export const apiKeyId = idOf("apikey");

/** A page size: 0 means the RPC's default; at most LIMITS.maxPageSize. */
export const pageSize = (fallback: number) =>
  z
    .number()
    .int()
    .min(0, { error: "must not be negative" })
    .max(LIMITS.maxPageSize, { error: `must be at most ${LIMITS.maxPageSize}` })
    .transform((n) => (n === 0 ? fallback : n));

/** A short human-entered name. */
export const displayName = z.string().trim().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" });

/** A caller-chosen idempotency id (otid, conversation id, idempotency key). */
export const token = z.string().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" });

/**
 * Checks the listed fields of a decoded proto message and passes the whole message through,
 * typed as the message (a loose object keeps every field it does not list).
 */
export function protoMessage<T>(shape: z.core.$ZodLooseShape) {
  return z.looseObject(shape) as unknown as z.ZodType<T>;
}
