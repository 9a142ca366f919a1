import { describe, expect, it } from "vitest";
import { loadEnv } from "@conduit/config";
import { configuredProviders, envSchema } from "../src/config.js";

const providersOf = (env: Record<string, string>) => configuredProviders(loadEnv(envSchema, env));

describe("Bedrock and Vertex configuration", () => {
  const keys = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };

  it("registers bedrock with a region and both static keys", () => {
    expect(providersOf({ AWS_REGION: "us-east-1", ...keys })).toEqual(["bedrock"]);
    expect(providersOf({ AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" })).toEqual([]);
    expect(providersOf(keys)).toEqual([]);
  });

  it("registers bedrock with a region and BEDROCK_ENABLED, for the default AWS credential chain", () => {
    expect(providersOf({ AWS_REGION: "eu-west-3", BEDROCK_ENABLED: "true" })).toEqual(["bedrock"]);
    expect(providersOf({ AWS_REGION: "eu-west-3", BEDROCK_ENABLED: "false" })).toEqual([]);
    expect(providersOf({ BEDROCK_ENABLED: "true" })).toEqual([]);
  });

  it("registers vertex with a project and a region", () => {
    expect(providersOf({ ANTHROPIC_VERTEX_PROJECT_ID: "p", CLOUD_ML_REGION: "us-east5" })).toEqual(["vertex"]);
    expect(providersOf({ ANTHROPIC_VERTEX_PROJECT_ID: "p" })).toEqual([]);
  });

  it("refuses a malformed BEDROCK_ENABLED or BEDROCK_BASE_URL, naming the variable", () => {
    expect(() => loadEnv(envSchema, { BEDROCK_ENABLED: "maybe" })).toThrow(/BEDROCK_ENABLED/);
    expect(() => loadEnv(envSchema, { BEDROCK_BASE_URL: "bedrock.local" })).toThrow(/BEDROCK_BASE_URL: expected a URL/);
  });
});
