import {
  agentTypeFromJSON,
  agentTypeToJSON,
  ModelSettings,
  Tool,
  ToolRule,
  type Agent,
  type MemoryBlock,
} from "@conduit/proto/agent/v1";
import { asJson, type AgentRow, type MemoryBlockRow } from "../db/entities/index.js";

/** JSON columns hold the proto3 JSON form of their messages. */
export function toAgent(row: AgentRow, blocks: MemoryBlockRow[]): Agent {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    description: row.description,
    agentType: agentTypeFromJSON(row.agentType),
    system: row.system,
    memoryBlocks: blocks.map(toMemoryBlock),
    tools: row.tools.map((t) => Tool.fromJSON(t)),
    toolRules: row.toolRules.map((r) => ToolRule.fromJSON(r)),
    model: row.model,
    modelSettings: ModelSettings.fromJSON(row.modelSettings),
    timezone: row.timezone,
    maxSteps: row.maxSteps,
    messageIds: row.messageIds,
    metadata: row.metadata,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Agents with their blocks, from one query for all the agents' blocks (in block order). */
export function toAgents(rows: readonly AgentRow[], blocks: readonly MemoryBlockRow[]): Agent[] {
  const byAgent = new Map<string, MemoryBlockRow[]>(rows.map((r) => [r.id, []]));
  for (const block of blocks) byAgent.get(block.agentId)?.push(block);
  return rows.map((row) => toAgent(row, byAgent.get(row.id) ?? []));
}

/** The stored columns of an agent's settings (everything but ids, blocks and timestamps). */
export function agentColumns(agent: Agent) {
  return {
    name: agent.name,
    description: agent.description,
    agentType: agentTypeToJSON(agent.agentType),
    system: agent.system,
    tools: agent.tools.map((t) => asJson(Tool.toJSON(t))),
    toolRules: agent.toolRules.map((r) => asJson(ToolRule.toJSON(r))),
    model: agent.model,
    modelSettings: asJson(ModelSettings.toJSON(agent.modelSettings ?? ModelSettings.fromPartial({}))),
    timezone: agent.timezone,
    maxSteps: agent.maxSteps,
    messageIds: agent.messageIds,
    metadata: agent.metadata,
  };
}

export const toMemoryBlock = (row: MemoryBlockRow): MemoryBlock => ({
  id: row.id,
  agentId: row.agentId,
  label: row.label,
  value: row.value,
  limit: row.limit,
  description: row.description,
  readOnly: row.readOnly,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});
