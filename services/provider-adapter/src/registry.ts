import { ServiceError, Status } from "@conduit/grpc-kit";
import type { Model } from "@conduit/proto/provider/v1";
import { parseModelHandle, type ModelProvider } from "./core/model-provider.js";

/** The providers this deployment can call, by the provider part of a model handle. */
export class ProviderRegistry {
  private readonly byName: Map<string, ModelProvider>;

  constructor(
    providers: readonly ModelProvider[],
    /** The model used when an agent names none. */
    readonly defaultModel: string,
    /** The deployment's own list of models (CONDUIT_MODELS), shown after the providers' own. */
    private readonly listed: readonly Model[] = [],
  ) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  /** The provider of a handle; MODEL_NOT_FOUND when none is configured for it. */
  resolve(handle: string): { provider: ModelProvider; model: string } {
    const parsed = parseModelHandle(handle);
    if (!parsed) {
      throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", "model: expected a handle <provider>/<model>", {
        metadata: { field: "model" },
      });
    }
    const provider = this.byName.get(parsed.provider);
    if (!provider) {
      throw new ServiceError(Status.NOT_FOUND, "MODEL_NOT_FOUND", `no provider "${parsed.provider}" is configured`, {
        metadata: { model: handle },
      });
    }
    return { provider, model: parsed.model };
  }

  /** What ListModels shows: each provider's own models, the listed ones, and the default. */
  models(provider?: string): Model[] {
    const all = [...[...this.byName.values()].flatMap((p) => p.models()), ...this.listed];
    if (!all.some((m) => m.handle === this.defaultModel)) {
      const parsed = parseModelHandle(this.defaultModel)!;
      all.push({ handle: this.defaultModel, provider: parsed.provider, displayName: parsed.model, contextWindow: undefined, isDefault: false, isBuiltin: false, capabilities: [] });
    }
    const seen = new Set<string>();
    return all
      .filter((m) => (provider === undefined || m.provider === provider) && !seen.has(m.handle) && seen.add(m.handle))
      .map((m) => ({ ...m, isDefault: m.handle === this.defaultModel }));
  }
}
