import type { ResponseFormat } from "@conduit/proto/agent/v1";
import type { OutputConfig } from "@anthropic-ai/sdk/resources/messages/messages";

/**
 * A response format as Anthropic's structured outputs (`output_config.format`): a JSON schema
 * as given; any JSON object as the schema of an object; plain text as no format at all.
 */
export function toAnthropicOutputConfig(format: ResponseFormat | undefined): OutputConfig | undefined {
  const f = format?.format;
  switch (f?.$case) {
    case "jsonSchema":
      return { format: { type: "json_schema", schema: f.value.schema ?? { type: "object" } } };
    case "jsonObject":
      return { format: { type: "json_schema", schema: { type: "object" } } };
    default:
      return undefined;
  }
}
