import { describe, expect, it } from "vitest";
import { loadEnv } from "@conduit/config";
import { configuredProviders, envSchema } from "../src/config.js";

describe("provider configuration", () => {
  it("lists the providers whose key (or OpenAI-compatible base URL) is set", () => {
    expect(configuredProviders(loadEnv(envSchema, {}))).toEqual([]);
    expect(
      configuredProviders(loadEnv(envSchema, { ANTHROPIC_API_KEY: "sk-ant-123456", GEMINI_API_KEY: "AIza-123456" })),
    ).toEqual(["anthropic", "google"]);
    expect(configuredProviders(loadEnv(envSchema, { OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }))).toEqual(["openai"]);
  });

  it("refuses a malformed base URL, naming the variable", () => {
    expect(() => loadEnv(envSchema, { OPENAI_BASE_URL: "localhost:11434" })).toThrow(/OPENAI_BASE_URL: expected a URL/);
  });

  it("configures Azure OpenAI only with both its key and its endpoint, with a default API version", () => {
    const both = loadEnv(envSchema, { AZURE_OPENAI_API_KEY: "azure-123456", AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com" });
    expect(configuredProviders(both)).toEqual(["azure"]);
    expect(both.AZURE_OPENAI_API_VERSION).toBe("2025-04-01-preview");
    expect(configuredProviders(loadEnv(envSchema, { AZURE_OPENAI_API_KEY: "azure-123456" }))).toEqual([]);
    expect(() => loadEnv(envSchema, { AZURE_OPENAI_ENDPOINT: "r.openai.azure.com" })).toThrow(/AZURE_OPENAI_ENDPOINT: expected a URL/);
  });
});
