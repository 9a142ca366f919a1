import { ToolReturnStatus, type ContentPart, type ToolReturn } from "@conduit/proto/agent/v1";

/** Characters of tool output the model sees when the tool sets no `return_char_limit`. */
export const DEFAULT_RETURN_CHAR_LIMIT = 6000;

export const textPart = (text: string): ContentPart => ({ part: { $case: "text", value: { text } } });

export const successReturn = (toolCallId: string, text: string): ToolReturn => ({
  toolCallId,
  status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS,
  parts: [textPart(text)],
  stdout: [],
  stderr: [],
});

export const errorReturn = (toolCallId: string, text: string): ToolReturn => ({
  toolCallId,
  status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR,
  parts: [textPart(`Error: ${text}`)],
  stdout: [],
  stderr: [],
});

export const deniedReturn = (toolCallId: string, reason: string | undefined): ToolReturn => ({
  ...errorReturn(toolCallId, ""),
  parts: [textPart(`Error: request to call tool denied. User reason: ${reason ?? ""}`)],
});

/** Cuts each text part to the limit (counted over all text parts), saying so in the text. */
export function truncateReturn(ret: ToolReturn, limit: number): ToolReturn {
  let left = limit;
  const parts = ret.parts.map((p): ContentPart => {
    if (p.part?.$case !== "text") return p;
    const chars = [...p.part.value.text];
    if (chars.length <= left) {
      left -= chars.length;
      return p;
    }
    const keep = Math.max(left, 0);
    left = 0;
    const note = `\n[output truncated: showing the first ${keep} of ${chars.length} characters]`;
    const kept = chars.slice(0, keep).join("");
    return { part: { $case: "text", value: { ...p.part.value, text: kept + note } } };
  });
  return { ...ret, parts };
}

export const cancelledReturn = (toolCallId: string): ToolReturn => errorReturn(toolCallId, "the call was cancelled by the user");
