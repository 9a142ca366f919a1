import { z } from "zod";
import { parseFieldMask, type MaskSpec } from "../core/field-mask.js";
import { LIMITS } from "./schemas.js";

/**
 * zod pieces for the shapes ts-proto gives decoded messages: enums, oneofs, Structs and
 * FieldMasks. Issue paths follow the .proto field names, so INVALID_ARGUMENT names the
 * field a polyglot caller set.
 */

export const text = (max: number = LIMITS.maxTextChars) => z.string().max(max, { error: `must be at most ${max} characters` });

/** A proto enum value this server knows (an unknown number decodes as itself, or as UNRECOGNIZED). */
export function protoEnum<E extends Record<string, string | number>>(values: E, what: string) {
  return z.enum(values, { error: `unknown ${what}` }).refine((v) => v !== -1, { error: `unknown ${what}` });
}

/**
 * A message holding a oneof `field` (ts-proto `{ $case, value }`). The chosen case is checked
 * with its schema, and its issues are named by the case's own field
 * (`tool_rules[0].terminal.tool_name`, not `…rule.value.…`): a oneof has no field of its own
 * on the wire.
 */
export function oneofMessage<T>(field: string, cases: Record<string, z.ZodType>, opts: { required: boolean }) {
  const names = Object.keys(cases).map(snake).join(", ");
  return z.looseObject({}).superRefine((message, ctx) => {
    const chosen = message[field] as { $case: string; value: unknown } | undefined;
    if (chosen === undefined) {
      if (opts.required) ctx.addIssue({ code: "custom", message: `expected one of ${names}` });
      return;
    }
    const schema = cases[chosen.$case];
    if (!schema) return ctx.addIssue({ code: "custom", message: `expected one of ${names}` });
    const parsed = schema.safeParse(chosen.value);
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", message: issue.message, path: [chosen.$case, ...issue.path] });
    }
  }) as unknown as z.ZodType<T>;
}

/** Size of a value's JSON encoding in UTF-8 bytes. */
export const jsonBytes = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/** A google.protobuf.Struct (plain JSON object) of bounded size. */
export const jsonObject = (maxBytes: number) =>
  z.record(z.string(), z.unknown()).refine((value) => jsonBytes(value) <= maxBytes, {
    error: `must be at most ${maxBytes} bytes as JSON`,
  });

/** A google.protobuf.FieldMask, checked against the updatable fields; yields their TypeScript keys. */
export function fieldMask<K extends string>(spec: MaskSpec<K>) {
  return z
    .array(z.string())
    .optional()
    .transform((paths, ctx) => {
      const mask = parseFieldMask(paths ?? [], spec);
      if (mask.ok) return mask.keys;
      ctx.addIssue({ code: "custom", message: mask.problem });
      return z.NEVER;
    });
}

/**
 * Checks only the fields a mask names, each with its schema from `shape`: a partial update
 * reads nothing else of the message, so nothing else is refused.
 */
export function checkMaskedFields<K extends string>(
  message: object,
  keys: ReadonlySet<K>,
  shape: Record<K, z.ZodType>,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  for (const key of keys) {
    const parsed = shape[key].safeParse((message as Record<string, unknown>)[key]);
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", message: issue.message, path: [...path, key, ...issue.path] });
    }
  }
}

/** Refuses a repeated field whose items share a key, naming the later item (or its key field). */
export function uniqueBy<T>(key: (item: T) => string, what: string, keyField?: string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: "custom", message: `${what} "${k}" appears twice`, path: keyField ? [i, keyField] : [i] });
      seen.add(k);
    }
  };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
