import { FinishReason } from "@conduit/proto/agent/v1";

/**
 * A Chat Completions `finish_reason` as the normalized enum. The raw value is kept beside it by
 * the caller (`Finish.raw_reason`); anything unknown is OTHER.
 */
export function mapOpenAIFinishReason(raw: string): FinishReason {
  switch (raw) {
    case "stop":
      return FinishReason.FINISH_REASON_STOP;
    case "length":
      return FinishReason.FINISH_REASON_LENGTH;
    case "tool_calls":
    case "function_call":
      return FinishReason.FINISH_REASON_TOOL_CALLS;
    case "content_filter":
      return FinishReason.FINISH_REASON_CONTENT_FILTER;
    default:
      return FinishReason.FINISH_REASON_OTHER;
  }
}
