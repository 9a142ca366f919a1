import { applyFieldMask } from "./field-mask.js";

/** Rules every memory block edit obeys, whoever makes it. */

/** A block's `limit` when a request gives 0. */
export const DEFAULT_BLOCK_LIMIT = 20_000;

/** The fields of a block a caller sets. */
export interface BlockFields {
  label: string;
  value: string;
  limit: number;
  description: string;
  readOnly: boolean;
}

export type BlockKey = keyof BlockFields;

export type BlockViolation =
  | { kind: "read_only"; label: string }
  | { kind: "limit_exceeded"; label: string; limit: number; length: number };

/**
 * Length in Unicode code points, as the block's limit and the database's `char_length` count
 * it (a UTF-16 `length` counts an emoji twice).
 */
export function codePointLength(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return text.length - surrogatePairs;
}

/** 0 means the default limit. */
export const effectiveLimit = (limit: number): number => limit || DEFAULT_BLOCK_LIMIT;

/** A new block, with its effective limit, or why its value does not fit. */
export function newBlock(block: BlockFields): { ok: true; block: BlockFields } | { ok: false; violation: BlockViolation } {
  const next = { ...block, limit: effectiveLimit(block.limit) };
  const overflow = limitViolation(next);
  return overflow ? { ok: false, violation: overflow } : { ok: true, block: next };
}

/**
 * The block after replacing the masked fields, or the first rule it breaks: a `value` edit
 * while the block is read-only (as stored, or as this same edit sets it), then a value that
 * does not fit the resulting limit (a lowered limit included). Violations name the block by
 * its stored label, the one the caller addressed.
 */
export function planBlockUpdate(
  stored: BlockFields,
  patch: BlockFields,
  keys: ReadonlySet<BlockKey>,
): { ok: true; block: BlockFields } | { ok: false; violation: BlockViolation } {
  const next = applyFieldMask(stored, patch, keys);
  next.limit = effectiveLimit(next.limit);
  if (keys.has("value") && (stored.readOnly || next.readOnly)) {
    return { ok: false, violation: { kind: "read_only", label: stored.label } };
  }
  const overflow = limitViolation({ ...next, label: stored.label });
  return overflow ? { ok: false, violation: overflow } : { ok: true, block: next };
}

function limitViolation(block: BlockFields): BlockViolation | undefined {
  const length = codePointLength(block.value);
  return length > block.limit ? { kind: "limit_exceeded", label: block.label, limit: block.limit, length } : undefined;
}
