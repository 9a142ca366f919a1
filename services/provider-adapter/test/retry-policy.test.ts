import { describe, expect, it } from "vitest";
import { retryDelay } from "../src/core/retry-policy.js";

const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

describe("retryDelay", () => {
  it("doubles from the base with jitter in the upper half, up to the last attempt", () => {
    expect(retryDelay(policy, 1, undefined, 0)).toBe(50);
    expect(retryDelay(policy, 1, undefined, 1)).toBe(100);
    expect(retryDelay(policy, 2, undefined, 1)).toBe(200);
    expect(retryDelay(policy, 3, undefined, 1)).toBeUndefined();
  });

  it("honours the provider's retry-after, but not beyond the longest wait", () => {
    expect(retryDelay(policy, 1, 700, 0)).toBe(700);
    expect(retryDelay(policy, 1, 5000, 0)).toBeUndefined();
  });

  it("caps the backoff at the longest wait", () => {
    expect(retryDelay({ ...policy, maxAttempts: 10 }, 8, undefined, 1)).toBe(1000);
  });
});
