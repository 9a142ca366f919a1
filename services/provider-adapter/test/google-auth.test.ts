import { afterEach, describe, expect, it, vi } from "vitest";
import { googleAuthClient } from "../src/providers/anthropic-cloud/google-auth.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("googleAuthClient", () => {
  it("with a static access token: sends it as the bearer token, as given", async () => {
    const client = await googleAuthClient("ya29.static");
    const headers = await client.getRequestHeaders();
    expect(headers.get("authorization")).toBe("Bearer ya29.static");
    // No expiry: asking again never tries to refresh (there is nothing to refresh with).
    expect((await client.getRequestHeaders()).get("authorization")).toBe("Bearer ya29.static");
  });

  it("without a token and without usable Application Default Credentials: fails, naming the variables to set", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/conduit-test-credentials.json");
    await expect(googleAuthClient(undefined)).rejects.toThrow(
      /^Vertex AI: no Google Application Default Credentials \(.+\); set ANTHROPIC_VERTEX_ACCESS_TOKEN or GOOGLE_APPLICATION_CREDENTIALS$/,
    );
  });
});
