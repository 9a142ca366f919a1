import { z } from "zod";
import { AgentType, ToolExecutor, type Agent, type MemoryBlock, type Tool, type ToolRule } from "@conduit/proto/agent/v1";
import { BUILTIN_TOOLS } from "../core/base-tools.js";
import { maskSpec } from "../core/field-mask.js";
import { codePointLength, effectiveLimit } from "../core/memory-block-rules.js";
import { agentModel, modelSettings } from "./model-settings-schema.js";
import { checkMaskedFields, fieldMask, jsonObject, oneofMessage, protoEnum, text, uniqueBy } from "./proto-schemas.js";
import { agentId, displayName, LIMITS, messageId, protoMessage } from "./schemas.js";

/** An IANA time zone that this runtime knows. */
const timezone = z.string().refine(
  (tz) => {
    if (tz === "") return true;
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: "expected an IANA time zone such as UTC or Europe/Paris" },
);

export const blockLabel = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: "expected 1-100 letters, digits, '_', '.' or '-'" });

/** The caller-set fields of a memory block. */
const blockShape = {
  label: blockLabel,
  value: text(),
  limit: z.number().int().min(0, { error: "must not be negative" }).max(LIMITS.maxTextChars, { error: `must be at most ${LIMITS.maxTextChars}` }),
  description: text(10_000),
  readOnly: z.boolean(),
};

/** A block created with its agent: its value must fit its limit (0 = the default limit). */
export const memoryBlockInput = protoMessage<MemoryBlock>(blockShape).refine(
  (b) => codePointLength(b.value) <= effectiveLimit(b.limit),
  { error: "value is longer than the block's limit", path: ["value"] },
);

export const toolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "expected 1-64 letters, digits, '_' or '-'" });

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/** Who runs the tool decides what it must declare (see Tool in agent.proto). */
function checkExecutor(t: Tool, ctx: z.RefinementCtx) {
  const executor = t.executor || ToolExecutor.TOOL_EXECUTOR_BUILTIN;
  if (executor === ToolExecutor.TOOL_EXECUTOR_BUILTIN) {
    if (!BUILTIN_TOOLS.has(t.name)) {
      const known = [...BUILTIN_TOOLS.keys()].join(", ");
      ctx.addIssue({ code: "custom", path: ["name"], message: `no built-in tool "${t.name}" (${known}); set executor CLIENT or EXTERNAL` });
    }
  } else if (t.jsonSchema === undefined || Object.keys(t.jsonSchema).length === 0) {
    ctx.addIssue({ code: "custom", path: ["jsonSchema"], message: "required for CLIENT and EXTERNAL tools" });
  }
  const endpoint = t.externalEndpoint;
  if (executor === ToolExecutor.TOOL_EXECUTOR_EXTERNAL) {
    const port = Number(HOST_PORT.exec(endpoint ?? "")?.[2] ?? 0);
    if (port < 1 || port > 65_535) ctx.addIssue({ code: "custom", path: ["externalEndpoint"], message: "expected host:port" });
  } else if (endpoint !== undefined) {
    ctx.addIssue({ code: "custom", path: ["externalEndpoint"], message: "only EXTERNAL tools have an endpoint" });
  }
}

const tool = protoMessage<Tool>({
  name: toolName,
  description: text(10_000),
  jsonSchema: jsonObject(64 * 1024)
    .refine((s) => Object.keys(s).length === 0 || s.type === "object", {
      error: 'expected the JSON Schema of an object ({"type": "object", "properties": …})',
    })
    .optional(),
  requiresApproval: z.boolean(),
  executor: protoEnum(ToolExecutor, "executor"),
  externalEndpoint: z.string().max(300).optional(),
  returnCharLimit: z.number().int().min(1, { error: "must be at least 1" }).max(LIMITS.maxTextChars).optional(),
}).superRefine(checkExecutor);

const toolRule = oneofMessage<ToolRule>(
  "rule",
  {
    terminal: z.looseObject({ toolName }),
    runFirst: z.looseObject({ toolName }),
    maxCountPerStep: z.looseObject({
      toolName,
      maxCount: z.number().int().min(1, { error: "must be at least 1" }).max(1000, { error: "must be at most 1000" }),
    }),
  },
  { required: true },
);

/** The settable fields of an agent, each checked on its own (cross-field rules come later). */
const agentFields = {
  name: displayName,
  description: text(10_000),
  agentType: protoEnum(AgentType, "agent_type"),
  system: text(),
  tools: z.array(tool).max(200, { error: "at most 200 tools" }).superRefine(uniqueBy((t: Tool) => t.name, "tool", "name")),
  toolRules: z.array(toolRule).max(100, { error: "at most 100 tool rules" }),
  model: agentModel,
  modelSettings: modelSettings.optional(),
  timezone,
  maxSteps: z.number().int().min(0, { error: "must not be negative" }).max(1000, { error: "must be at most 1000" }),
  messageIds: z
    .array(messageId)
    .max(100_000, { error: "at most 100000 messages" })
    .superRefine(uniqueBy((id: string) => id, "message id")),
  metadata: z
    .record(z.string().max(200, { error: "keys must be at most 200 characters" }), text(10_000))
    .refine((m) => Object.keys(m).length <= 100, { error: "at most 100 entries" }),
};

/** The caller-settable part of an Agent (store-assigned fields are ignored, not checked). */
export const agentInput = protoMessage<Agent>({
  ...agentFields,
  messageIds: z.unknown(),
  memoryBlocks: z
    .array(memoryBlockInput)
    .max(100, { error: "at most 100 memory blocks" })
    .superRefine(uniqueBy((b: MemoryBlock) => b.label, "label", "label")),
});

/** The agent fields UpdateAgent replaces (agents.proto, UpdateAgentRequest.update_mask). */
const AGENT_MASK = maskSpec([
  "name",
  "description",
  "agentType",
  "system",
  "tools",
  "toolRules",
  "model",
  "modelSettings",
  "timezone",
  "maxSteps",
  "messageIds",
  "metadata",
] as const);

export const updateAgentRequest = z
  .object({ agent: protoMessage<Agent>({ id: agentId }), updateMask: fieldMask(AGENT_MASK) })
  .superRefine((req, ctx) => checkMaskedFields(req.agent, req.updateMask, agentFields, ["agent"], ctx));

/** The block fields UpdateMemoryBlock replaces. */
const BLOCK_MASK = maskSpec(["label", "value", "limit", "description", "readOnly"] as const);

export const createMemoryBlockRequest = z.object({ agentId, block: protoMessage<MemoryBlock>(blockShape) });

export const updateMemoryBlockRequest = z
  .object({ agentId, label: blockLabel, block: protoMessage<MemoryBlock>({}), updateMask: fieldMask(BLOCK_MASK) })
  .superRefine((req, ctx) => checkMaskedFields(req.block, req.updateMask, blockShape, ["block"], ctx));

export const blockAddress = z.object({ agentId, label: blockLabel });
