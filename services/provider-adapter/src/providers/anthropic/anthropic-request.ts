import { ReasoningEffort, type ReasoningSettings } from "@conduit/proto/agent/v1";
import type { StreamCompletionRequest, ToolChoice } from "@conduit/proto/provider/v1";
import type {
  MessageCreateParamsStreaming,
  ThinkingConfigParam,
  Tool,
  ToolChoice as AnthropicToolChoice,
} from "@anthropic-ai/sdk/resources/messages";
import { toAnthropicOutputConfig } from "./anthropic-output-format.js";
import { convertToAnthropicMessages } from "./convert-to-anthropic-messages.js";

/** The API requires `max_tokens`; this is sent when the request sets none (plus the thinking budget). */
export const DEFAULT_MAX_TOKENS = 4096;

/** The smallest thinking budget the API accepts. */
export const MIN_THINKING_BUDGET = 1024;

/**
 * The thinking budget of each effort (Anthropic takes budgets, not efforts). NONE turns
 * thinking off.
 */
export const EFFORT_BUDGET_TOKENS: Readonly<Partial<Record<ReasoningEffort, number>>> = {
  [ReasoningEffort.REASONING_EFFORT_MINIMAL]: 1024,
  [ReasoningEffort.REASONING_EFFORT_LOW]: 4096,
  [ReasoningEffort.REASONING_EFFORT_MEDIUM]: 16384,
  [ReasoningEffort.REASONING_EFFORT_HIGH]: 32768,
};

/**
 * The streaming Messages request body of a Conduit request for `model` (the model part of the
 * handle). Unset settings are left out, so the API's defaults apply, except `max_tokens`, which the
 * API requires: the request's, else DEFAULT_MAX_TOKENS above the thinking budget (the budget must
 * stay below `max_tokens`). `provider_settings` are merged in last, as given. `provider` is the
 * provider name, which decides whose reasoning is sent back.
 */
export function toAnthropicRequest(
  request: StreamCompletionRequest,
  model: string,
  provider = "anthropic",
): MessageCreateParamsStreaming {
  const { system, messages } = convertToAnthropicMessages(request.messages, request.system, provider);
  const thinking = toAnthropicThinking(request.reasoning);
  const budget = thinking?.type === "enabled" ? thinking.budget_tokens : 0;
  const body: MessageCreateParamsStreaming = {
    model,
    messages,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS + budget,
    stream: true,
  };
  if (system !== undefined) body.system = system;
  if (request.tools.length > 0) {
    body.tools = request.tools.map(
      (tool): Tool => ({
        name: tool.name,
        ...(tool.description === "" ? {} : { description: tool.description }),
        input_schema: (tool.parameters ?? { type: "object", properties: {} }) as Tool.InputSchema,
      }),
    );
  }
  const toolChoice = toAnthropicToolChoice(request.toolChoice, request.tools.length > 0 ? request.parallelToolCalls : undefined);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (thinking !== undefined) body.thinking = thinking;
  const output = toAnthropicOutputConfig(request.responseFormat);
  if (output !== undefined) body.output_config = output;
  // SDK 1.12 no longer types `temperature` (deprecated by the API); sent for the models that take it.
  const sampling = request.temperature === undefined ? {} : { temperature: request.temperature };
  return { ...body, ...sampling, ...(request.providerSettings ?? {}), stream: true };
}

/**
 * auto → `auto`, required → `any`, none → `none`, a name → `tool`. `parallel_tool_calls: false`
 * becomes `disable_parallel_tool_use: true` (on `auto` when no choice is set); `none` takes no
 * such flag.
 */
export function toAnthropicToolChoice(
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): AnthropicToolChoice | undefined {
  const disable = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  const c = choice?.choice;
  switch (c?.$case) {
    case "none":
      return { type: "none" };
    case "required":
      return { type: "any", ...disable };
    case "toolName":
      return { type: "tool", name: c.value, ...disable };
    case "auto":
      return { type: "auto", ...disable };
    default:
      return parallelToolCalls === false ? { type: "auto", ...disable } : undefined;
  }
}

/**
 * A budget as `thinking: {type: "enabled", budget_tokens}` (raised to the API's minimum of 1024;
 * 0 or less turns thinking off); an effort as the budget of EFFORT_BUDGET_TOKENS (NONE: off).
 */
export function toAnthropicThinking(settings: ReasoningSettings | undefined): ThinkingConfigParam | undefined {
  const s = settings?.setting;
  if (s?.$case === "budgetTokens") {
    if (s.value <= 0) return { type: "disabled" };
    return { type: "enabled", budget_tokens: Math.max(MIN_THINKING_BUDGET, s.value) };
  }
  if (s?.$case !== "effort") return undefined;
  if (s.value === ReasoningEffort.REASONING_EFFORT_NONE) return { type: "disabled" };
  const budget = EFFORT_BUDGET_TOKENS[s.value];
  return budget === undefined ? undefined : { type: "enabled", budget_tokens: budget };
}
