import type { CallContext } from "@conduit/grpc-kit";
import type { ChatCompletionChunk, ChatCompletionsRequest } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "../adapters/caller-auth.js";
import { chatCompletion } from "../runs/chat-completion.js";
import type { RunHost } from "../runs/run-host.js";

/** ChatCompletions: an OpenAI chat completion addressed to an agent, streamed as chunks. */
export function chatCompletions(deps: { auth: CallerAuth; runs: RunHost }) {
  return async function* (request: ChatCompletionsRequest, ctx: CallContext): AsyncGenerator<ChatCompletionChunk> {
    const organizationId = await deps.auth.organizationOf(ctx);
    yield* chatCompletion(deps.runs, organizationId, request, ctx.signal);
  };
}
