import { AgentType, ToolExecutor, type Tool } from "@conduit/proto/agent/v1";

/** Roles a conversation search may filter on (the Message roles a model talks about). */
const SEARCHABLE_ROLES = ["system", "user", "assistant", "tool"];

const builtin = (name: string, description: string, jsonSchema: Record<string, unknown>): Tool => ({
  name,
  description,
  jsonSchema,
  requiresApproval: false,
  executor: ToolExecutor.TOOL_EXECUTOR_BUILTIN,
});

const MEMORY_INSERT = builtin(
  "memory_insert",
  "Insert text into one of your memory blocks, as new lines at a given line number (by default at the end). " +
    "Use it to remember new facts about the user or yourself.",
  {
    type: "object",
    properties: {
      label: { type: "string", description: "Label of the memory block to edit, e.g. `human` or `persona`." },
      text: { type: "string", description: "The text to insert." },
      line: {
        type: "integer",
        minimum: 0,
        description: "Line number (0-based) before which the text is inserted; omit it to append at the end.",
      },
    },
    required: ["label", "text"],
    additionalProperties: false,
  },
);

const MEMORY_REPLACE = builtin(
  "memory_replace",
  "Replace text in one of your memory blocks: `old_text` must occur exactly once in the block and is " +
    "replaced by `new_text` (an empty `new_text` deletes it).",
  {
    type: "object",
    properties: {
      label: { type: "string", description: "Label of the memory block to edit." },
      old_text: { type: "string", description: "The exact text to replace, as it appears in the block." },
      new_text: { type: "string", description: "The replacement text; empty to delete `old_text`." },
    },
    required: ["label", "old_text", "new_text"],
    additionalProperties: false,
  },
);

const CONVERSATION_SEARCH = builtin(
  "conversation_search",
  "Search your past conversation with the user by keywords, including messages that are no longer in your " +
    "context window. Returns the matching messages, newest first.",
  {
    type: "object",
    properties: {
      query: { type: "string", description: "Keywords to search for." },
      roles: {
        type: "array",
        items: { type: "string", enum: SEARCHABLE_ROLES },
        description: "Only messages with these roles; omit for all.",
      },
      limit: { type: "integer", minimum: 1, maximum: 100, description: "Most messages to return; default 10." },
      start_date: {
        type: "string",
        description: "Only messages at or after this date or time (ISO 8601, e.g. 2025-01-31 or 2025-01-31T14:00:00Z).",
      },
      end_date: {
        type: "string",
        description: "Only messages at or before this date or time (ISO 8601).",
      },
    },
    required: ["query"],
    additionalProperties: false,
  },
);

const SEND_MESSAGE = builtin(
  "send_message",
  "Send a message to the user. This is the only way the user sees what you say.",
  {
    type: "object",
    properties: { message: { type: "string", description: "The message, in plain text or Markdown." } },
    required: ["message"],
    additionalProperties: false,
  },
);

/** Every tool the agent loop executes itself, by name. */
export const BUILTIN_TOOLS: ReadonlyMap<string, Tool> = new Map(
  [MEMORY_INSERT, MEMORY_REPLACE, CONVERSATION_SEARCH, SEND_MESSAGE].map((t) => [t.name, t]),
);

/** The built-in tools an agent of this type gets unless it opts out. */
export function baseToolsFor(agentType: AgentType): Tool[] {
  const common = [MEMORY_INSERT, MEMORY_REPLACE, CONVERSATION_SEARCH];
  return agentType === AgentType.AGENT_TYPE_MEMGPT ? [...common, SEND_MESSAGE] : common;
}

/** Unset executor means BUILTIN; a built-in tool declared with an empty description or schema gets ours. */
export function completeTool(tool: Tool): Tool {
  const executor = tool.executor || ToolExecutor.TOOL_EXECUTOR_BUILTIN;
  const known = executor === ToolExecutor.TOOL_EXECUTOR_BUILTIN ? BUILTIN_TOOLS.get(tool.name) : undefined;
  return {
    ...tool,
    executor,
    description: tool.description || known?.description || "",
    jsonSchema: isEmptySchema(tool.jsonSchema) ? known?.jsonSchema : tool.jsonSchema,
  };
}

/**
 * The agent's tools: the caller's tools (completed), then, when asked, the base tools of its
 * type that the caller did not name — a caller's tool with a built-in name wins.
 */
export function composeTools(tools: readonly Tool[], agentType: AgentType, includeBaseTools: boolean): Tool[] {
  const declared = tools.map(completeTool);
  if (!includeBaseTools) return declared;
  const named = new Set(declared.map((t) => t.name));
  return [...declared, ...baseToolsFor(agentType).filter((t) => !named.has(t.name)).map(cloneTool)];
}

const isEmptySchema = (schema: Tool["jsonSchema"]) => schema === undefined || Object.keys(schema).length === 0;

const cloneTool = (tool: Tool): Tool => structuredClone(tool);
