import { describe, expect, it } from "vitest";
import { loadEnv } from "@conduit/config";
import { envSchema } from "../src/config.js";
import { modelCatalog } from "../src/configured-models.js";
import { createScriptedProvider } from "../src/providers/scripted/scripted-provider.js";
import { ProviderRegistry } from "../src/registry.js";

const env = (vars: Record<string, string>) => loadEnv(envSchema, vars);

describe("modelCatalog", () => {
  it("defaults to the fallback when nothing is configured", () => {
    expect(modelCatalog(env({}), ["conduit"], "conduit/scripted")).toEqual({ defaultModel: "conduit/scripted", listed: [] });
  });

  it("lists the configured models and takes the first as default unless one is named", () => {
    const listed = env({ CONDUIT_MODELS: "openai/llama3.2, openai/qwen3 ,openai/llama3.2" });
    const catalog = modelCatalog(listed, ["conduit", "openai"], "conduit/scripted");
    expect(catalog.defaultModel).toBe("openai/llama3.2");
    expect(catalog.listed.map((m) => [m.handle, m.provider, m.displayName])).toEqual([
      ["openai/llama3.2", "openai", "llama3.2"],
      ["openai/qwen3", "openai", "qwen3"],
    ]);
    const named = env({ CONDUIT_MODELS: "openai/llama3.2,openai/qwen3", CONDUIT_DEFAULT_MODEL: "openai/qwen3" });
    expect(modelCatalog(named, ["conduit", "openai"], "conduit/scripted").defaultModel).toBe("openai/qwen3");
  });

  it("refuses a handle of a provider that is not configured, or no handle at all, naming the variable", () => {
    expect(() => modelCatalog(env({ CONDUIT_MODELS: "anthropic/claude" }), ["conduit", "openai"], "conduit/scripted")).toThrow(
      'CONDUIT_MODELS: "anthropic/claude" names provider "anthropic", which is not configured (configured: conduit, openai)',
    );
    expect(() => modelCatalog(env({ CONDUIT_DEFAULT_MODEL: "gpt-4.1" }), ["conduit"], "conduit/scripted")).toThrow(
      'CONDUIT_DEFAULT_MODEL: "gpt-4.1" is not a model handle <provider>/<model>',
    );
  });
});

describe("ProviderRegistry.models", () => {
  const scripted = createScriptedProvider();

  it("marks the default, lists the deployment's models after the providers' own, and filters by provider", () => {
    const catalog = modelCatalog(env({ CONDUIT_MODELS: "openai/llama3.2,openai/qwen3" }), ["conduit", "openai"], "conduit/scripted");
    const registry = new ProviderRegistry([scripted], catalog.defaultModel, catalog.listed);
    expect(registry.models().map((m) => [m.handle, m.isDefault, m.isBuiltin])).toEqual([
      ["conduit/scripted", false, true],
      ["openai/llama3.2", true, false],
      ["openai/qwen3", false, false],
    ]);
    expect(registry.models("openai").map((m) => m.handle)).toEqual(["openai/llama3.2", "openai/qwen3"]);
  });

  it("shows a default model that is not in the list", () => {
    const registry = new ProviderRegistry([scripted], "openai/gpt-4.1-mini");
    expect(registry.models().map((m) => [m.handle, m.isDefault])).toEqual([
      ["conduit/scripted", false],
      ["openai/gpt-4.1-mini", true],
    ]);
  });
});
