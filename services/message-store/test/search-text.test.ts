import { describe, expect, it } from "vitest";
import { Message, MessageRole, ToolReturnStatus, type ContentPart } from "@conduit/proto/agent/v1";
import { MAX_SEARCH_TEXT, searchText } from "../src/core/search-text.js";

const text = (t: string): ContentPart => ({ part: { $case: "text", value: { text: t } } });

describe("searchText", () => {
  it("takes text, reasoning, tool calls, tool return text and denial reasons, and leaves images and encrypted data out", () => {
    const content: ContentPart[] = [
      text("hello"),
      { part: { $case: "reasoning", value: { text: "pondering", isNative: true } } },
      { part: { $case: "redactedReasoning", value: { data: "SECRETBLOB" } } },
      { part: { $case: "summarizedReasoning", value: { id: "rs_1", summaries: ["summary one"], encryptedContent: "ENC" } } },
      { part: { $case: "image", value: { source: { $case: "url", value: "https://example.com/cat.png" } } } },
    ];
    const message = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      content,
      toolCalls: [{ id: "call_1", name: "get_weather", argumentsJson: '{"city":"Paris"}' }],
      toolReturns: [{ toolCallId: "call_1", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [text("sunny")] }],
      approvals: [{ approval: { $case: "decision", value: { toolCallId: "call_2", approve: false, reason: "too risky" } } }],
    });
    const out = searchText(message);
    for (const word of ["hello", "pondering", "summary one", "get_weather", "Paris", "sunny", "too risky"]) expect(out).toContain(word);
    for (const word of ["SECRETBLOB", "ENC", "cat.png", "rs_1"]) expect(out).not.toContain(word);
  });

  it("keeps at most MAX_SEARCH_TEXT units, so the tsvector stays under Postgres' 1 MiB limit", () => {
    const long = searchText(Message.fromPartial({ content: [text("word ".repeat(MAX_SEARCH_TEXT))] }));
    expect(long).toHaveLength(MAX_SEARCH_TEXT);
  });

  it("does not split a surrogate pair at the cut", () => {
    const emoji = "\u{1F600}";
    const cut = searchText(Message.fromPartial({ content: [text("a".repeat(MAX_SEARCH_TEXT - 1) + emoji)] }));
    expect(cut).toBe("a".repeat(MAX_SEARCH_TEXT - 1));
  });
});
