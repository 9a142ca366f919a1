import { z } from "zod";
import { ProviderError } from "../core/provider-error.js";

/**
 * `raw` as `schema` reads it. The SDKs hand over whatever JSON arrived, so a wrong shape is the
 * provider's malformed response; `what` names the piece in the message ("a chunk").
 */
export function parseWireShape<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ProviderError("malformed", `the provider sent ${what} of an unexpected shape: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

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
 * A streamed event read by the schema of its `type`. APIs add event types over time, so one of
 * another type passes as unknown; a known one of the wrong shape is a malformed response.
 */
export function parseTypedEvent<S extends Schemas>(schemas: S, raw: unknown): TypedEvent<S> {
  const type = typeof raw === "object" && raw !== null && "type" in raw ? raw.type : undefined;
  if (typeof type !== "string") throw new ProviderError("malformed", "the provider sent an event without a type");
  if (!Object.hasOwn(schemas, type)) return { type: "unknown", raw };
  return parseWireShape(schemas[type]!, raw, `a ${type} event`) as KnownEvent<S>;
}
