import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { ServiceError, Status } from "@conduit/grpc-kit";
import { ModelCapability, type Model } from "@conduit/proto/provider/v1";
import type { ScriptedModelSettings } from "@conduit/proto/agent/v1";
import type { ModelProvider } from "../../core/model-provider.js";
import { ProviderError } from "../../core/provider-error.js";
import { echoTurn, pickTurn, SCRIPTED_HANDLE, turnIndexOf, turnSteps } from "./script.js";

export interface ScriptedProviderOptions {
  /** Played when a request carries no script of its own (from CONDUIT_SCRIPTED_MODEL_FILE). */
  defaultScript?: ScriptedModelSettings | undefined;
}

/**
 * `conduit/scripted`: a built-in deterministic model for demos and tests. A request's script
 * (or the configured one) says what each call streams; with none, it echoes the user. Each
 * chunk is streamed in its own event-loop turn, as a provider's network reads are.
 */
export function createScriptedProvider(options: ScriptedProviderOptions = {}): ModelProvider {
  return {
    name: "conduit",
    models: (): Model[] => [
      {
        handle: SCRIPTED_HANDLE,
        provider: "conduit",
        displayName: "Conduit scripted model (deterministic, for demos and tests)",
        contextWindow: undefined,
        isDefault: false,
        isBuiltin: true,
        capabilities: [
          ModelCapability.MODEL_CAPABILITY_TOOLS,
          ModelCapability.MODEL_CAPABILITY_PARALLEL_TOOL_CALLS,
          ModelCapability.MODEL_CAPABILITY_REASONING,
        ],
      },
    ],
    async *stream(request, { signal }) {
      const script = request.scripted?.turns.length ? request.scripted : options.defaultScript;
      const turnIndex = turnIndexOf(request.messages);
      const turn = script ? pickTurn(script, turnIndex) : echoTurn(request.messages);
      if (!turn) {
        throw new ServiceError(Status.INVALID_ARGUMENT, "SCRIPT_EXHAUSTED", `the script has no turn ${turnIndex}`, {
          metadata: { turn: String(turnIndex) },
        });
      }
      let streamed = false;
      for (const step of turnSteps(turn, turnIndex)) {
        signal.throwIfAborted();
        if (step.kind === "event") {
          // Each scripted chunk arrives like its own network read, so it is not folded into
          // the one before it on the way out (see mergeCompletionEvents).
          if (streamed) await nextTurn(undefined, { signal });
          streamed = true;
          yield step.event;
        }
        else if (step.kind === "wait") await sleep(step.ms, undefined, { signal });
        else {
          throw new ProviderError(step.error, step.message, step.retryAfterMs === undefined ? {} : { retryAfterMs: step.retryAfterMs });
        }
      }
    },
  };
}
