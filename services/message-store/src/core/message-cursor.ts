/**
 * Paging over an agent's messages by `sequence_id`. Cursors are uint64 on the wire and
 * bigint (int8) in the database; sequence ids are decimal strings throughout, never numbers.
 */

export type Direction = "asc" | "desc";

/** The largest sequence id the database can hold (int8). */
export const MAX_SEQUENCE = 9_223_372_036_854_775_807n;

/** Exclusive bounds: `after < sequence_id < before`. Unset means unbounded. */
export interface SequenceRange {
  after?: string;
  before?: string;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** The last item's sequence id, to pass as `after` (ASC) or `before` (DESC); only with hasMore. */
  nextCursor?: string;
}

/**
 * The range a request asks for. A uint64 cursor above int8 is clamped: no row can be past it,
 * so `before` stays "everything" and `after` stays "nothing".
 */
export function sequenceRange(cursors: { after?: string | undefined; before?: string | undefined }): SequenceRange {
  const range: SequenceRange = {};
  if (cursors.after !== undefined) range.after = clamp(cursors.after);
  if (cursors.before !== undefined) range.before = clamp(cursors.before);
  return range;
}

/** True when no sequence id can lie in the range, so there is nothing to query. */
export function isEmptyRange(range: SequenceRange): boolean {
  if (range.before !== undefined && BigInt(range.before) <= 1n) return true;
  if (range.after !== undefined && BigInt(range.after) >= MAX_SEQUENCE) return true;
  return range.after !== undefined && range.before !== undefined && BigInt(range.before) - BigInt(range.after) <= 1n;
}

/**
 * Cuts a page from rows fetched with `limit + 1`: the extra row only says that more match,
 * and is never returned, so a page never reads past what it reports.
 */
export function pageOf<T>(rows: readonly T[], limit: number, sequenceOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: [...rows], hasMore: false };
  const items = rows.slice(0, limit);
  return { items, hasMore: true, nextCursor: sequenceOf(items[items.length - 1]!) };
}

function clamp(cursor: string): string {
  const value = BigInt(cursor);
  return value > MAX_SEQUENCE ? MAX_SEQUENCE.toString() : value.toString();
}
