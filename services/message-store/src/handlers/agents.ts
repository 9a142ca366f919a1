import { z } from "zod";
import { fieldPath, invalidArgument } from "@conduit/grpc-kit";
import type { MemoryBlock } from "@conduit/proto/agent/v1";
import { SortOrder, type MessageStoreServiceServer } from "@conduit/proto/store/v1";
import { newAgentSettings, updatedAgentSettings, type SettingsProblem } from "../core/agent-settings.js";
import type { BlockFields } from "../core/memory-block-rules.js";
import { decodePageToken } from "../core/page-token.js";
import { toAgent } from "../mappers/agents.js";
import { createAgent, deleteAgent, foreignMessageIds, getAgent, listAgents, lockAgent, updateAgent } from "../store/agents.js";
import { createBlock, deleteBlock, getBlock, listBlocks, updateBlock } from "../store/memory-blocks.js";
import {
  agentInput,
  blockAddress,
  createMemoryBlockRequest,
  updateAgentRequest,
  updateMemoryBlockRequest,
} from "./agent-schemas.js";
import { protoEnum } from "./proto-schemas.js";
import { rpc, type HandlerDeps } from "./rpc.js";
import { agentId, pageSize } from "./schemas.js";

const listAgentsRequest = z.object({
  nameContains: z.string().max(200, { error: "must be at most 200 characters" }).optional(),
  limit: pageSize(50),
  pageToken: z.string().max(200),
  order: protoEnum(SortOrder, "order"),
});

/** Agents and memory blocks. */
export function agentHandlers(deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {
    createAgent: rpc.caller(
      deps,
      "CreateAgent",
      z.object({ agent: agentInput, includeBaseTools: z.boolean().optional() }),
      async (input, { org, db }) => {
        const settings = newAgentSettings(input.agent, input.includeBaseTools ?? true);
        if ("problem" in settings) throw settingsError(settings.problem);
        return { agent: await db.transaction((em) => createAgent(em, org, settings.agent)) };
      },
    ),

    getAgent: rpc.caller(deps, "GetAgent", z.object({ agentId }), async (input, { org, db }) => ({
      agent: await getAgent(db.manager, org, input.agentId),
    })),

    listAgents: rpc.caller(deps, "ListAgents", listAgentsRequest, async (input, { org, db }) => {
      const after = input.pageToken ? decodePageToken(input.pageToken) : undefined;
      if (input.pageToken && !after) throw invalidArgument("page_token", "not a page token from this RPC");
      const order = input.order === SortOrder.SORT_ORDER_DESC ? "DESC" : "ASC";
      return listAgents(db.manager, org, { nameContains: input.nameContains ?? "", limit: input.limit, after, order });
    }),

    updateAgent: rpc.caller(deps, "UpdateAgent", updateAgentRequest, async ({ agent, updateMask: keys }, { org, db }) => ({
      agent: await db.transaction(async (em) => {
        const stored = toAgent(await lockAgent(em, org, agent.id), []);
        const settings = updatedAgentSettings(stored, agent, keys);
        if ("problem" in settings) throw settingsError(settings.problem);
        if (keys.has("messageIds")) {
          const [foreign] = await foreignMessageIds(em, org, agent.id, settings.agent.messageIds);
          if (foreign) {
            const index = settings.agent.messageIds.indexOf(foreign);
            throw invalidArgument(`agent.message_ids[${index}]`, `${foreign} is not a message of this agent`);
          }
        }
        return updateAgent(em, org, settings.agent, keys);
      }),
    })),

    deleteAgent: rpc.caller(deps, "DeleteAgent", z.object({ agentId }), async (input, { org, db }) => {
      await db.transaction((em) => deleteAgent(em, org, input.agentId));
      return {};
    }),

    createMemoryBlock: rpc.caller(deps, "CreateMemoryBlock", createMemoryBlockRequest, async (input, { org, db }) => ({
      block: await db.transaction((em) => createBlock(em, org, input.agentId, blockFields(input.block))),
    })),

    getMemoryBlock: rpc.caller(deps, "GetMemoryBlock", blockAddress, async (input, { org, db }) => ({
      block: await getBlock(db.manager, org, input.agentId, input.label),
    })),

    listMemoryBlocks: rpc.caller(deps, "ListMemoryBlocks", z.object({ agentId }), async (input, { org, db }) => ({
      blocks: await listBlocks(db.manager, org, input.agentId),
    })),

    updateMemoryBlock: rpc.caller(deps, "UpdateMemoryBlock", updateMemoryBlockRequest, async (input, { org, db }) => ({
      block: await db.transaction((em) =>
        updateBlock(em, org, input.agentId, input.label, blockFields(input.block), input.updateMask),
      ),
    })),

    deleteMemoryBlock: rpc.caller(deps, "DeleteMemoryBlock", blockAddress, async (input, { org, db }) => {
      await db.transaction((em) => deleteBlock(em, org, input.agentId, input.label));
      return {};
    }),
  };
}

/** Cross-field problems of an agent's settings, named like the edge's own checks. */
const settingsError = (p: SettingsProblem) => invalidArgument(fieldPath(["agent", ...p.path]), p.problem);

const blockFields = (b: MemoryBlock): BlockFields => ({
  label: b.label,
  value: b.value,
  limit: b.limit,
  description: b.description,
  readOnly: b.readOnly,
});
