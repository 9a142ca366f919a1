import { FinishReason } from "@conduit/proto/agent/v1";

/**
 * An Anthropic `stop_reason` as the normalized enum. The raw value is kept beside it by the
 * caller (`Finish.raw_reason`); `pause_turn` and anything unknown are OTHER.
 */
export function mapAnthropicStopReason(raw: string): FinishReason {
  switch (raw) {
    case "end_turn":
    case "stop_sequence":
      return FinishReason.FINISH_REASON_STOP;
    case "max_tokens":
      return FinishReason.FINISH_REASON_LENGTH;
    case "tool_use":
      return FinishReason.FINISH_REASON_TOOL_CALLS;
    case "refusal":
      return FinishReason.FINISH_REASON_CONTENT_FILTER;
    default:
      return FinishReason.FINISH_REASON_OTHER;
  }
}
