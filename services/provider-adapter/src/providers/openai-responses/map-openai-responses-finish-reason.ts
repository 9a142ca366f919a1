import { FinishReason } from "@conduit/proto/agent/v1";

/**
 * How a Responses API response ended, as the normalized enum: `completed` is STOP, or
 * TOOL_CALLS when the response called functions (the API has no reason of its own for that);
 * an incomplete response's `incomplete_details.reason` is LENGTH (`max_output_tokens`) or
 * CONTENT_FILTER; anything unknown is OTHER. The raw value is kept beside it by the caller.
 */
export function mapOpenAIResponsesFinishReason(raw: string, calledTools: boolean): FinishReason {
  switch (raw) {
    case "completed":
      return calledTools ? FinishReason.FINISH_REASON_TOOL_CALLS : FinishReason.FINISH_REASON_STOP;
    case "max_output_tokens":
      return FinishReason.FINISH_REASON_LENGTH;
    case "content_filter":
      return FinishReason.FINISH_REASON_CONTENT_FILTER;
    default:
      return FinishReason.FINISH_REASON_OTHER;
  }
}
