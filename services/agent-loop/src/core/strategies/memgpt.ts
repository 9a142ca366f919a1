import { ToolReturnStatus } from "@conduit/proto/agent/v1";
import { noToolCallFailure } from "../outcomes.js";
import { toDefinition, type AgentStrategy } from "./strategy.js";

export const SEND_MESSAGE = "send_message";
const THINKING = "thinking";
const HEARTBEAT = "request_heartbeat";

const THINKING_SCHEMA = {
  type: "string",
  description: "Your private inner thoughts before this call; the user does not see them. Keep them short.",
};
const HEARTBEAT_SCHEMA = {
  type: "boolean",
  description: "True to get control back after this call (to call another tool or answer); false to end your turn.",
};

/**
 * Tools only: `send_message` is what the user sees, streamed from inside its arguments; inner
 * thoughts come from an injected `thinking` argument; the loop goes on when a call asks for a
 * heartbeat or a tool failed.
 */
export const memgptStrategy: AgentStrategy = {
  extracted: (name) => ({ thinking: true, message: name === SEND_MESSAGE }),
  showsCall: (name) => name !== SEND_MESSAGE,
  toolDefinitions: (tools) =>
    tools.map((tool) => {
      const def = toDefinition(tool);
      const schema = def.parameters ?? {};
      const properties = (schema["properties"] ?? {}) as Record<string, unknown>;
      const required = Array.isArray(schema["required"]) ? (schema["required"] as string[]) : [];
      const heartbeat = tool.name === SEND_MESSAGE ? {} : { [HEARTBEAT]: HEARTBEAT_SCHEMA };
      return {
        ...def,
        parameters: {
          ...schema,
          type: "object",
          properties: { [THINKING]: THINKING_SCHEMA, ...properties, ...heartbeat },
          required: [THINKING, ...required.filter((r) => r !== THINKING)],
        },
      };
    }),
  refuse: (calls) => (calls.length === 0 ? noToolCallFailure() : undefined),
  toolArguments: ({ [THINKING]: _thinking, [HEARTBEAT]: _heartbeat, ...rest }) => rest,
  wantsAnotherStep: (calls, returns) =>
    calls.some((c) => requestsHeartbeat(c.argumentsJson)) || returns.some((r) => r.status !== ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS),
  heartbeat: (returns) =>
    JSON.stringify({
      type: "heartbeat",
      reason: returns.some((r) => r.status !== ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS)
        ? "[automated system message, hidden from the user] A tool failed; returning control to you to handle it."
        : "[automated system message, hidden from the user] A call requested a heartbeat; returning control to you.",
    }),
};

function requestsHeartbeat(argumentsJson: string): boolean {
  try {
    const args: unknown = JSON.parse(argumentsJson);
    return typeof args === "object" && args !== null && (args as Record<string, unknown>)[HEARTBEAT] === true;
  } catch {
    return false;
  }
}
