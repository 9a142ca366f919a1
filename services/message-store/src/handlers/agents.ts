import { z } from "zod";
import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import { createAgent, getAgent } from "../store/agents.js";
import { agentInput } from "./agent-schemas.js";
import { rpc, type HandlerDeps } from "./rpc.js";
import { agentId } from "./schemas.js";

/** Agents and memory blocks. */
export function agentHandlers(deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {
    createAgent: rpc.caller(
      deps,
      "CreateAgent",
      z.object({ agent: agentInput, includeBaseTools: z.boolean().optional() }),
      async (input, { org, db }) => ({
        agent: await db.transaction((em) => createAgent(em, org, input.agent)),
      }),
    ),

    getAgent: rpc.caller(deps, "GetAgent", z.object({ agentId }), async (input, { org, db }) => ({
      agent: await getAgent(db.manager, org, input.agentId),
    })),
  };
}
