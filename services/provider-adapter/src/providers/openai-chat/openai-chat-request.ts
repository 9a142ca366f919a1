import { ReasoningEffort, type ReasoningSettings, type ResponseFormat } from "@conduit/proto/agent/v1";
import type { StreamCompletionRequest, ToolChoice } from "@conduit/proto/provider/v1";
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionToolChoiceOption,
} from "openai/resources/chat/completions";
import type { ReasoningEffort as OpenAIReasoningEffort } from "openai/resources/shared";
import { convertToOpenAIChatMessages } from "./convert-to-openai-chat-messages.js";

/**
 * The streaming Chat Completions request body of a Conduit request for `model` (the model part
 * of the handle). Unset settings are left out, so the provider's defaults apply;
 * `provider_settings` are merged in last, as given.
 */
export function toOpenAIChatRequest(request: StreamCompletionRequest, model: string): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model,
    messages: convertToOpenAIChatMessages(request.messages, request.system),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description === "" ? {} : { description: tool.description }),
        parameters: tool.parameters ?? { type: "object", properties: {} },
      },
    }));
  }
  const toolChoice = toOpenAIToolChoice(request.toolChoice);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  // OpenAI refuses parallel_tool_calls without tools.
  if (request.parallelToolCalls !== undefined && request.tools.length > 0) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  const effort = toOpenAIReasoningEffort(request.reasoning);
  if (effort !== undefined) body.reasoning_effort = effort;
  const format = toOpenAIResponseFormat(request.responseFormat);
  if (format !== undefined) body.response_format = format;
  return { ...body, ...(request.providerSettings ?? {}), stream: true, stream_options: { include_usage: true } };
}

export function toOpenAIToolChoice(choice: ToolChoice | undefined): ChatCompletionToolChoiceOption | undefined {
  const c = choice?.choice;
  switch (c?.$case) {
    case "auto":
      return "auto";
    case "none":
      return "none";
    case "required":
      return "required";
    case "toolName":
      return { type: "function", function: { name: c.value } };
    default:
      return undefined;
  }
}

/** An effort as is; a token budget as the nearest effort (≤ 1024 low, ≤ 8192 medium, else high). */
export function toOpenAIReasoningEffort(settings: ReasoningSettings | undefined): OpenAIReasoningEffort | undefined {
  const s = settings?.setting;
  if (s?.$case === "budgetTokens") {
    if (s.value <= 0) return "none";
    return s.value <= 1024 ? "low" : s.value <= 8192 ? "medium" : "high";
  }
  if (s?.$case !== "effort") return undefined;
  switch (s.value) {
    case ReasoningEffort.REASONING_EFFORT_NONE:
      return "none";
    case ReasoningEffort.REASONING_EFFORT_MINIMAL:
      return "minimal";
    case ReasoningEffort.REASONING_EFFORT_LOW:
      return "low";
    case ReasoningEffort.REASONING_EFFORT_MEDIUM:
      return "medium";
    case ReasoningEffort.REASONING_EFFORT_HIGH:
      return "high";
    default:
      return undefined;
  }
}

export function toOpenAIResponseFormat(
  format: ResponseFormat | undefined,
): ChatCompletionCreateParamsStreaming["response_format"] | undefined {
  const f = format?.format;
  switch (f?.$case) {
    case "text":
      return { type: "text" };
    case "jsonObject":
      return { type: "json_object" };
    case "jsonSchema":
      return {
        type: "json_schema",
        json_schema: {
          name: f.value.name,
          ...(f.value.description === undefined ? {} : { description: f.value.description }),
          ...(f.value.schema === undefined ? {} : { schema: f.value.schema }),
          ...(f.value.strict === undefined ? {} : { strict: f.value.strict }),
        },
      };
    default:
      return undefined;
  }
}
