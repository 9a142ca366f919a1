import { describe, expect, it } from "vitest";
import { decodeStatusDetails, encodeStatusDetails } from "../src/index.js";

describe("google.rpc.Status encoding", () => {
  it("round-trips code, message, ErrorInfo reason and metadata, and RetryInfo", () => {
    const details = {
      code: 8,
      message: "rate limited",
      reason: "RATE_LIMITED",
      metadata: { provider: "openai", model: "gpt-4.1-mini" },
      retryDelayMs: 2_250,
    };
    expect(decodeStatusDetails(encodeStatusDetails(details))).toEqual(details);
  });

  it("leaves the retry delay unset when none was sent", () => {
    const decoded = decodeStatusDetails(
      encodeStatusDetails({ code: 3, message: "bad", reason: "INVALID_ARGUMENT", metadata: { field: "agent_id" } }),
    );
    expect(decoded.retryDelayMs).toBeUndefined();
    expect(decoded.metadata).toEqual({ field: "agent_id" });
  });
});
