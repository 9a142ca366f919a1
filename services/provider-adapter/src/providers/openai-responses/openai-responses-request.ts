import type { ResponseFormat } from "@conduit/proto/agent/v1";
import type { StreamCompletionRequest, ToolChoice } from "@conduit/proto/provider/v1";
import type {
  ResponseCreateParamsStreaming,
  ResponseFormatTextConfig,
  ToolChoiceFunction,
  ToolChoiceOptions,
} from "openai/resources/responses/responses";
import { toOpenAIReasoningEffort } from "../openai-chat/openai-chat-request.js";
import { convertToOpenAIResponsesInput } from "./convert-to-openai-responses-input.js";

/**
 * The streaming Responses API request body of a Conduit request for `model` (the model part of
 * the handle; the deployment for Azure). Stateless: `store: false`, with the reasoning's
 * encrypted content included (when the request asks for reasoning or the model is of a reasoning
 * family) so it can be sent back on the next call. Unset settings are left
 * out, so the API's defaults apply; `provider_settings` are merged in last, as given (e.g. an
 * `include` of `[]` for a model that refuses encrypted reasoning). `provider` is the provider
 * name, which decides whose reasoning items are sent back.
 */
/** Model families that reason by default; `gpt-5-chat` does not. */
const REASONING_MODELS = /^(o\d|gpt-5(?!-chat)|codex)/;

export function toOpenAIResponsesRequest(
  request: StreamCompletionRequest,
  model: string,
  provider: string,
): ResponseCreateParamsStreaming {
  const { instructions, input } = convertToOpenAIResponsesInput(request.messages, request.system, provider);
  const body: ResponseCreateParamsStreaming = {
    model,
    input,
    stream: true,
    store: false,
  };
  const effort = toOpenAIReasoningEffort(request.reasoning);
  // Models that do not reason refuse a request for encrypted reasoning.
  if ((effort !== undefined && effort !== "none") || REASONING_MODELS.test(model)) body.include = ["reasoning.encrypted_content"];
  if (instructions !== undefined) body.instructions = instructions;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      name: tool.name,
      ...(tool.description === "" ? {} : { description: tool.description }),
      parameters: tool.parameters ?? { type: "object", properties: {} },
      // The API defaults to strict, which refuses most hand-written schemas.
      strict: false,
    }));
  }
  const toolChoice = toResponsesToolChoice(request.toolChoice);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  // Refused without tools, as in Chat Completions.
  if (request.parallelToolCalls !== undefined && request.tools.length > 0) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  // Summaries are what the API shows of its reasoning; none are asked for when it is off.
  if (effort !== undefined) body.reasoning = effort === "none" ? { effort } : { effort, summary: "auto" };
  const format = toResponsesTextFormat(request.responseFormat);
  if (format !== undefined) body.text = { format };
  return { ...body, ...(request.providerSettings ?? {}), stream: true };
}

export function toResponsesToolChoice(choice: ToolChoice | undefined): ToolChoiceOptions | ToolChoiceFunction | undefined {
  const c = choice?.choice;
  switch (c?.$case) {
    case "auto":
      return "auto";
    case "none":
      return "none";
    case "required":
      return "required";
    case "toolName":
      return { type: "function", name: c.value };
    default:
      return undefined;
  }
}

export function toResponsesTextFormat(format: ResponseFormat | undefined): ResponseFormatTextConfig | undefined {
  const f = format?.format;
  switch (f?.$case) {
    case "text":
      return { type: "text" };
    case "jsonObject":
      return { type: "json_object" };
    case "jsonSchema":
      return {
        type: "json_schema",
        name: f.value.name,
        schema: f.value.schema ?? {},
        ...(f.value.description === undefined ? {} : { description: f.value.description }),
        ...(f.value.strict === undefined ? {} : { strict: f.value.strict }),
      };
    default:
      return undefined;
  }
}
