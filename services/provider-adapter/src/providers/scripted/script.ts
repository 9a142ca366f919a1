import {
  FinishReason,
  finishReasonToJSON,
  MessageRole,
  ScriptedErrorClass,
  type ScriptedModelSettings,
  type ScriptedTurn,
  type Message,
} from "@conduit/proto/agent/v1";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import type { ProviderErrorKind } from "../../core/provider-error.js";

export const SCRIPTED_HANDLE = "conduit/scripted";

/** What playing a turn does next: stream an event, wait, or fail. */
export type ScriptStep =
  | { kind: "event"; event: CompletionEvent }
  | { kind: "wait"; ms: number }
  | { kind: "fail"; error: ProviderErrorKind; message: string; retryAfterMs?: number };

/** Which turn a call plays: one turn per assistant message already in the conversation. */
export const turnIndexOf = (messages: readonly Message[]) =>
  messages.filter((m) => m.role === MessageRole.MESSAGE_ROLE_ASSISTANT).length;

/** The turn at `index`; past the last, the first again when the script cycles, else none. */
export function pickTurn(script: ScriptedModelSettings, index: number): ScriptedTurn | undefined {
  if (script.turns.length === 0) return undefined;
  if (index < script.turns.length) return script.turns[index];
  return script.cycle ? script.turns[index % script.turns.length] : undefined;
}

const ERROR_KIND: Record<ScriptedErrorClass, ProviderErrorKind> = {
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNSPECIFIED]: "unavailable",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT]: "rate_limit",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_TIMEOUT]: "timeout",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_AUTHENTICATION]: "auth",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_BAD_REQUEST]: "bad_request",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_CONTEXT_WINDOW_EXCEEDED]: "context_window",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNAVAILABLE]: "unavailable",
  [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_MALFORMED_RESPONSE]: "malformed",
  [ScriptedErrorClass.UNRECOGNIZED]: "unavailable",
};

/**
 * The steps of a turn, in order, ending with `finish` unless a step fails. Tool calls are
 * numbered within the turn; a call without an id gets `call_<turn>_<n>`, so ids are stable
 * across runs and distinct across turns.
 */
export function* turnSteps(turn: ScriptedTurn, turnIndex: number): Generator<ScriptStep> {
  let calls = 0;
  for (const { action } of turn.actions) {
    switch (action?.$case) {
      case "text":
        for (const text of action.value.chunks) yield event({ $case: "textDelta", value: { text } });
        break;
      case "reasoning": {
        const { chunks, signature } = action.value;
        for (const [i, text] of chunks.entries()) {
          const last = i === chunks.length - 1;
          yield event({ $case: "reasoningDelta", value: { text, signature: last ? signature : undefined } });
        }
        break;
      }
      case "redactedReasoning":
        yield event({ $case: "redactedReasoning", value: { data: action.value.data } });
        break;
      case "toolCall": {
        const index = calls++;
        const { id, name, argumentChunks } = action.value;
        const chunks = argumentChunks.length > 0 ? argumentChunks : [""];
        for (const [i, argumentsDelta] of chunks.entries()) {
          const first = i === 0;
          yield event({
            $case: "toolCallDelta",
            value: {
              index,
              id: first ? (id ?? `call_${turnIndex}_${index}`) : undefined,
              name: first ? name : undefined,
              argumentsDelta,
            },
          });
        }
        break;
      }
      case "delayMs":
        yield { kind: "wait", ms: action.value };
        break;
      case "usage": {
        const u = action.value;
        yield event({
          $case: "usage",
          value: {
            promptTokens: u.promptTokens,
            completionTokens: u.completionTokens,
            cachedInputTokens: u.cachedInputTokens,
            cacheWriteTokens: u.cacheWriteTokens,
            reasoningTokens: u.reasoningTokens,
          },
        });
        break;
      }
      case "error":
        yield {
          kind: "fail",
          error: ERROR_KIND[action.value.errorClass],
          message: action.value.message || "scripted error",
          ...(action.value.retryAfterMs === undefined ? {} : { retryAfterMs: action.value.retryAfterMs }),
        };
        return;
      case undefined:
        break;
      default: {
        const unreachable: never = action;
        return unreachable;
      }
    }
  }
  const reason = turn.finishReason || (calls > 0 ? FinishReason.FINISH_REASON_TOOL_CALLS : FinishReason.FINISH_REASON_STOP);
  yield event({
    $case: "finish",
    value: { reason, rawReason: finishReasonToJSON(reason).replace("FINISH_REASON_", "").toLowerCase(), model: SCRIPTED_HANDLE },
  });
}

const event = (e: NonNullable<CompletionEvent["event"]>): ScriptStep => ({ kind: "event", event: { event: e } });

/** Without a script: answer with the last user message, word by word, so a demo shows streaming. */
export function echoTurn(messages: readonly Message[]): ScriptedTurn {
  const lastUser = [...messages].reverse().find((m) => m.role === MessageRole.MESSAGE_ROLE_USER);
  const said = lastUser?.content
    .map((p) => (p.part?.$case === "text" ? p.part.value.text : ""))
    .join(" ")
    .trim();
  const reply = said ? `You said: ${said}` : "Hello! I am conduit/scripted, a built-in model that echoes what you say.";
  const chunks = reply.split(/(?<=\s)/);
  return { actions: [{ action: { $case: "text", value: { chunks } } }], finishReason: FinishReason.FINISH_REASON_STOP };
}
