import { z } from "zod";
import {
  FinishReason,
  ReasoningEffort,
  ScriptedErrorClass,
  ScriptedModelSettings,
  type ModelSettings,
  type ReasoningSettings,
  type ResponseFormat,
  type ScriptedAction,
  type ScriptedTurn,
} from "@conduit/proto/agent/v1";
import { LIMITS, protoMessage } from "./schemas.js";
import { jsonBytes, jsonObject, oneofMessage, protoEnum, text } from "./proto-schemas.js";

const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/\S+$/;

/** `<provider>/<model>`, e.g. `openai/gpt-4.1-mini`; the provider adapter resolves it. */
const modelHandle = z
  .string()
  .max(200, { error: "must be at most 200 characters" })
  .regex(HANDLE, { error: "expected a model handle <provider>/<model>, e.g. openai/gpt-4.1-mini" });

/** An agent's model: a handle, or empty for the provider adapter's default. */
export const agentModel = z.union([z.literal(""), modelHandle], {
  error: "expected a model handle <provider>/<model>, e.g. openai/gpt-4.1-mini",
});

const MAX_TOKENS = 10_000_000;
const count = (min: number, max: number) =>
  z.number().int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

const reasoning = oneofMessage<ReasoningSettings>(
  "setting",
  { effort: protoEnum(ReasoningEffort, "reasoning effort"), budgetTokens: count(0, MAX_TOKENS) },
  { required: false },
);

const responseFormat = oneofMessage<ResponseFormat>(
  "format",
  {
    text: z.looseObject({}),
    jsonObject: z.looseObject({}),
    jsonSchema: z.looseObject({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "expected 1-64 letters, digits, '_' or '-'" }),
      description: text(10_000).optional(),
      schema: jsonObject(64 * 1024),
      strict: z.boolean().optional(),
    }),
  },
  { required: false },
);

const chunks = z.array(text()).max(10_000, { error: "at most 10000 chunks" });

const scriptedAction = oneofMessage<ScriptedAction>(
  "action",
  {
    text: z.looseObject({ chunks }),
    reasoning: z.looseObject({ chunks, signature: text(100_000).optional() }),
    redactedReasoning: z.looseObject({ data: text() }),
    // Names and arguments stay free: a script may call a tool that does not exist, on purpose.
    toolCall: z.looseObject({ name: text(200), argumentChunks: chunks }),
    delayMs: count(0, 600_000),
    usage: z.looseObject({}),
    error: z.looseObject({
      errorClass: protoEnum(ScriptedErrorClass, "scripted error class"),
      message: text(10_000),
      retryAfterMs: count(0, 3_600_000).optional(),
    }),
  },
  { required: true },
);

const scripted = protoMessage<ScriptedModelSettings>({
  turns: z
    .array(
      protoMessage<ScriptedTurn>({
        actions: z.array(scriptedAction).max(1000, { error: "at most 1000 actions" }),
        finishReason: protoEnum(FinishReason, "finish reason"),
      }),
    )
    .max(1000, { error: "at most 1000 turns" }),
  cycle: z.boolean(),
}).refine((s) => jsonBytes(ScriptedModelSettings.toJSON(s)) <= LIMITS.maxMessageBytes, {
  error: `must be at most ${LIMITS.maxMessageBytes} bytes as JSON`,
});

/** Generation settings: unset fields mean the provider's defaults; set ones must make sense. */
export const modelSettings = protoMessage<ModelSettings>({
  temperature: z.number().min(0, { error: "must be between 0 and 2" }).max(2, { error: "must be between 0 and 2" }).optional(),
  maxTokens: count(1, MAX_TOKENS).optional(),
  reasoning: reasoning.optional(),
  parallelToolCalls: z.boolean().optional(),
  responseFormat: responseFormat.optional(),
  providerSettings: jsonObject(64 * 1024).optional(),
  fallbackModels: z.array(modelHandle).max(10, { error: "at most 10 fallback models" }),
  scripted: scripted.optional(),
});
