import type { CallContext } from "@conduit/grpc-kit";
import type { ListModelsRequest, ListModelsResponse } from "@conduit/proto/provider/v1";
import type { ProviderRegistry } from "../registry.js";
import { requireInternal } from "./access.js";

export function listModels(deps: { registry: ProviderRegistry; internalKey: string | undefined }) {
  return async (request: ListModelsRequest, ctx: CallContext): Promise<ListModelsResponse> => {
    requireInternal(ctx, deps.internalKey);
    return { models: deps.registry.models(request.provider) };
  };
}
