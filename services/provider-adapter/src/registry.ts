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

  models(provider?: string): Model[] {
    return [...this.byName.values()]
      .filter((p) => provider === undefined || p.name === provider)
      .flatMap((p) => p.models())
      .map((m) => ({ ...m, isDefault: m.handle === this.defaultModel }));
  }
}
