import { ReasoningEffort, type ReasoningSettings, type ResponseFormat } from "@conduit/proto/agent/v1";
import type { StreamCompletionRequest, ToolChoice } from "@conduit/proto/provider/v1";
import {
  FunctionCallingConfigMode,
  type GenerateContentConfig,
  type GenerateContentParameters,
  type ThinkingConfig,
  type ToolConfig,
} from "@google/genai";
import { ProviderError } from "../../core/provider-error.js";
import { convertToGeminiContents } from "./convert-to-gemini-contents.js";

/**
 * The thinking budget of each effort (Gemini 2.5 takes budgets). Each fits the ranges of both
 * Pro (128–32768) and Flash (0–24576). NONE turns thinking off.
 */
export const EFFORT_THINKING_BUDGET: Readonly<Partial<Record<ReasoningEffort, number>>> = {
  [ReasoningEffort.REASONING_EFFORT_MINIMAL]: 512,
  [ReasoningEffort.REASONING_EFFORT_LOW]: 2048,
  [ReasoningEffort.REASONING_EFFORT_MEDIUM]: 8192,
  [ReasoningEffort.REASONING_EFFORT_HIGH]: 24576,
};

/**
 * The `generateContentStream` parameters of a Conduit request for `model` (the model part of the
 * handle). Unset settings are left out, so the model's defaults apply. `provider_settings` are
 * merged into the wire body last, as given (the SDK's `extraBody`, deep-merged: e.g.
 * `{"generationConfig": {"topP": 0.9}}` or `{"safetySettings": […]}`). `provider` is the provider
 * name, which decides whose signatures are sent back. The caller adds the abort signal.
 */
export function toGeminiRequest(request: StreamCompletionRequest, model: string, provider = "google"): GenerateContentParameters {
  const { systemInstruction, contents } = convertToGeminiContents(request.messages, request.system, provider);
  // Gemini refuses a call without contents (the SDK throws before sending it).
  if (contents.length === 0) throw new ProviderError("bad_request", "Gemini needs at least one user, assistant or tool message");
  const config: GenerateContentConfig = {};
  if (systemInstruction !== undefined) config.systemInstruction = systemInstruction;
  if (request.tools.length > 0) {
    config.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description === "" ? {} : { description: tool.description }),
          parametersJsonSchema: tool.parameters ?? { type: "object", properties: {} },
        })),
      },
    ];
  }
  const toolConfig = toGeminiToolConfig(request.toolChoice);
  if (toolConfig !== undefined) config.toolConfig = toolConfig;
  const thinking = toGeminiThinkingConfig(request.reasoning);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  Object.assign(config, toGeminiResponseFormat(request.responseFormat));
  const extraBody = request.providerSettings;
  if (extraBody !== undefined && Object.keys(extraBody).length > 0) config.httpOptions = { extraBody };
  return { model, contents, config };
}

/**
 * auto → AUTO, none → NONE, required → ANY, a name → ANY limited to that name. Gemini has no
 * switch for parallel calls, so `parallel_tool_calls` is not sent.
 */
export function toGeminiToolConfig(choice: ToolChoice | undefined): ToolConfig | undefined {
  const c = choice?.choice;
  switch (c?.$case) {
    case "auto":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } };
    case "none":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } };
    case "required":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } };
    case "toolName":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [c.value] } };
    default:
      return undefined;
  }
}

/**
 * A budget as `thinkingBudget` with thought summaries asked for (0 or less turns thinking off);
 * an effort as the budget of EFFORT_THINKING_BUDGET (NONE: off).
 */
export function toGeminiThinkingConfig(settings: ReasoningSettings | undefined): ThinkingConfig | undefined {
  const s = settings?.setting;
  let budget: number | undefined;
  if (s?.$case === "budgetTokens") budget = Math.max(0, s.value);
  else if (s?.$case === "effort") budget = s.value === ReasoningEffort.REASONING_EFFORT_NONE ? 0 : EFFORT_THINKING_BUDGET[s.value];
  if (budget === undefined) return undefined;
  return budget === 0 ? { thinkingBudget: 0 } : { includeThoughts: true, thinkingBudget: budget };
}

/** text → `text/plain`; a JSON object → `application/json`; a schema → that and `responseJsonSchema`. */
export function toGeminiResponseFormat(format: ResponseFormat | undefined): Pick<GenerateContentConfig, "responseMimeType" | "responseJsonSchema"> {
  const f = format?.format;
  switch (f?.$case) {
    case "text":
      return { responseMimeType: "text/plain" };
    case "jsonObject":
      return { responseMimeType: "application/json" };
    case "jsonSchema":
      return { responseMimeType: "application/json", ...(f.value.schema === undefined ? {} : { responseJsonSchema: f.value.schema }) };
    default:
      return {};
  }
}
