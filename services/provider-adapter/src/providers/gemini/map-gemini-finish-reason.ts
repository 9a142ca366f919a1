import { FinishReason } from "@conduit/proto/agent/v1";

/**
 * A Gemini `finishReason` as the normalized enum; the raw value is kept beside it by the caller
 * (`Finish.raw_reason`). Gemini ends a turn of function calls with `STOP`, so STOP after calls is
 * TOOL_CALLS. Filters of content, recitation and personal data are CONTENT_FILTER; malformed or
 * unexpected calls, `LANGUAGE` and anything unknown are OTHER.
 */
export function mapGeminiFinishReason(raw: string, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case "STOP":
      return hasToolCalls ? FinishReason.FINISH_REASON_TOOL_CALLS : FinishReason.FINISH_REASON_STOP;
    case "MAX_TOKENS":
      return FinishReason.FINISH_REASON_LENGTH;
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
    case "IMAGE_PROHIBITED_CONTENT":
    case "IMAGE_RECITATION":
      return FinishReason.FINISH_REASON_CONTENT_FILTER;
    default:
      return FinishReason.FINISH_REASON_OTHER;
  }
}
