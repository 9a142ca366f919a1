/** How often and how patiently a failed provider call is tried again (before its first delta). */
export interface RetryPolicy {
  /** Calls per model, the first included. */
  maxAttempts: number;
  /** Delay before the second call; doubles after each failure. */
  baseDelayMs: number;
  /** Longest wait between calls. A provider asking for longer (retry-after) is not retried. */
  maxDelayMs: number;
}

/**
 * The wait before attempt `attempt + 1`: the provider's retry-after when it gave one, else
 * exponential backoff with full jitter in its upper half. Undefined: do not retry.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: number): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.5 + random / 2));
}
