import type { Tool, ToolCall, ToolReturn } from "@conduit/proto/agent/v1";
import type { ToolDefinition } from "@conduit/proto/provider/v1";
import type { Failure } from "../outcomes.js";
import type { CallPresentation } from "../turn.js";

/** How an agent type drives the model: what it sends, how it streams, when it goes on. */
export interface AgentStrategy extends CallPresentation {
  /** The tool definitions the model gets. */
  toolDefinitions(tools: readonly Tool[]): ToolDefinition[];
  /** A model turn the agent type cannot accept (memgpt: no tool call), before tools run. */
  refuse(calls: readonly ToolCall[]): Failure | undefined;
  /** The arguments a tool gets: the model's, without what the agent type injected. */
  toolArguments(args: Record<string, unknown>): Record<string, unknown>;
  /** After the step's tools ran: whether the agent wants another step. */
  wantsAnotherStep(calls: readonly ToolCall[], returns: readonly ToolReturn[]): boolean;
  /** The user message appended before the next step, if the agent type uses one. */
  heartbeat(returns: readonly ToolReturn[]): string | undefined;
}

export const toDefinition = (tool: Tool): ToolDefinition => ({
  name: tool.name,
  description: tool.description,
  parameters: tool.jsonSchema ?? { type: "object", properties: {} },
});
