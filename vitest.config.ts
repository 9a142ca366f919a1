import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "libs/*/test/**/*.test.ts",
      "libs/*/src/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "services/*/src/**/*.test.ts",
      "cli/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    // One throwaway Postgres and nats-server for the whole run; files create their own databases.
    globalSetup: ["@conduit/testing/global-setup"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
