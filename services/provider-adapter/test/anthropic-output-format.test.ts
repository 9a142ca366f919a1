import { describe, expect, it } from "vitest";
import { Message, MessageRole } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { toAnthropicRequest } from "../src/providers/anthropic/anthropic-request.js";

const request = (responseFormat: StreamCompletionRequest["responseFormat"]) =>
  StreamCompletionRequest.fromPartial({
    model: "anthropic/claude-sonnet-5-5",
    messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "Hi" } } }] })],
    responseFormat,
  });

describe("toAnthropicRequest: response format as structured outputs", () => {
  it("sends a JSON schema as output_config.format", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    const body = toAnthropicRequest(request({ format: { $case: "jsonSchema", value: { name: "answer", schema, strict: true } } }), "m");
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema } });
  });

  it("sends any JSON object as the schema of an object, and plain text as no format", () => {
    expect(toAnthropicRequest(request({ format: { $case: "jsonObject", value: {} } }), "m").output_config).toEqual({
      format: { type: "json_schema", schema: { type: "object" } },
    });
    expect(toAnthropicRequest(request({ format: { $case: "text", value: {} } }), "m")).not.toHaveProperty("output_config");
    expect(toAnthropicRequest(request(undefined), "m")).not.toHaveProperty("output_config");
  });
});
