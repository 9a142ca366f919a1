import type { Model } from "@conduit/proto/provider/v1";
import { parseModelHandle } from "./core/model-provider.js";

export interface ModelCatalog {
  /** The handle used when a request names no model. */
  defaultModel: string;
  /** The models ListModels shows besides the providers' own (the deployment's list). */
  listed: Model[];
}

/**
 * The deployment's models (`CONDUIT_MODELS`) and default (`CONDUIT_DEFAULT_MODEL`, else the
 * first listed model, else `fallback`). Every handle must name a provider this deployment has;
 * a wrong one stops the start with the variable and the handle in the message.
 */
export function modelCatalog(
  env: { CONDUIT_MODELS: string[]; CONDUIT_DEFAULT_MODEL?: string | undefined },
  providers: readonly string[],
  fallback: string,
): ModelCatalog {
  const check = (variable: string, handle: string) => {
    const parsed = parseModelHandle(handle);
    if (!parsed) throw new Error(`${variable}: "${handle}" is not a model handle <provider>/<model>`);
    if (!providers.includes(parsed.provider)) {
      throw new Error(`${variable}: "${handle}" names provider "${parsed.provider}", which is not configured (configured: ${providers.join(", ")})`);
    }
    return parsed;
  };
  const listed = [...new Set(env.CONDUIT_MODELS)].map((handle): Model => {
    const { provider, model } = check("CONDUIT_MODELS", handle);
    return { handle, provider, displayName: model, contextWindow: undefined, isDefault: false, isBuiltin: false, capabilities: [] };
  });
  if (env.CONDUIT_DEFAULT_MODEL !== undefined) check("CONDUIT_DEFAULT_MODEL", env.CONDUIT_DEFAULT_MODEL);
  return { defaultModel: env.CONDUIT_DEFAULT_MODEL ?? listed[0]?.handle ?? fallback, listed };
}
