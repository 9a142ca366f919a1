import { z } from "zod";
import { ProviderError } from "../core/provider-error.js";

type Schemas = Record<string, z.ZodType>;
type KnownEvent<S extends Schemas> = { [K in keyof S]: z.infer<S[K]> }[keyof S];

/** An event of a type the adapter does not read, kept as it came. */
export interface UnknownEvent {
  type: "unknown";
  raw: unknown;
}

/** An event of one of the types of `S`, as its schema reads it, or an unknown one. */
export type TypedEvent<S extends Schemas> = KnownEvent<S> | UnknownEvent;

/**
 * Validates a streamed event the SDK parsed, by its `type`, against the schema of that type; an
 * event of another type passes as unknown, a known one of the wrong shape is a malformed response.
 */
export function parseTypedEvent<S extends Schemas>(schemas: S, raw: unknown): TypedEvent<S> {
  const type = typeof raw === "object" && raw !== null && "type" in raw ? raw.type : undefined;
  if (typeof type !== "string") throw new ProviderError("malformed", "the provider sent an event without a type");
  if (!Object.hasOwn(schemas, type)) return { type: "unknown", raw };
  const parsed = schemas[type]!.safeParse(raw);
  if (!parsed.success) {
    throw new ProviderError("malformed", `the provider sent a ${type} event of an unexpected shape: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data as KnownEvent<S>;
}
