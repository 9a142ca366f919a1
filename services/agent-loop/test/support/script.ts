import { ScriptedErrorClass, type ModelSettings, type ScriptedAction, type ScriptedTurn } from "@conduit/proto/agent/v1";

/** Builders for `conduit/scripted` turns, so tests read like what the model does. */
export const say = (...chunks: string[]): ScriptedAction => ({ action: { $case: "text", value: { chunks } } });
export const think = (chunks: string[], signature?: string): ScriptedAction => ({ action: { $case: "reasoning", value: { chunks, signature } } });
export const call = (name: string, args: string[] | object, id?: string): ScriptedAction => ({
  action: { $case: "toolCall", value: { name, id, argumentChunks: Array.isArray(args) ? args : [JSON.stringify(args)] } },
});
export const wait = (ms: number): ScriptedAction => ({ action: { $case: "delayMs", value: ms } });
export const usage = (promptTokens: number, completionTokens: number): ScriptedAction => ({
  action: { $case: "usage", value: { promptTokens, completionTokens, stepCount: 0 } },
});
export const fail = (errorClass: ScriptedErrorClass, message = "scripted failure"): ScriptedAction => ({
  action: { $case: "error", value: { errorClass, message } },
});
export const turn = (...actions: ScriptedAction[]): ScriptedTurn => ({ actions, finishReason: 0 });

/** Model settings that play the given turns on `conduit/scripted`. */
export const scripted = (...turns: ScriptedTurn[]): { model: string; modelSettings: ModelSettings } => ({
  model: "conduit/scripted",
  modelSettings: { scripted: { turns, cycle: false }, fallbackModels: [] } as unknown as ModelSettings,
});
