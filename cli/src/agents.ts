import { callUnary } from "@conduit/grpc-kit";
import { Agent, AgentType } from "@conduit/proto/agent/v1";
import { SortOrder, type ListAgentsRequest } from "@conduit/proto/store/v1";
import { booleanFlag, stringFlag, UsageError, type OptionSpec } from "./args.js";
import { printJson, type Command } from "./command.js";
import { agentDetails, agentRows, table } from "./format.js";

const JSON_OPTION: Record<string, OptionSpec> = { json: { type: "boolean", description: "print the agent as JSON" } };
const TYPES: Record<string, AgentType> = { react: AgentType.AGENT_TYPE_REACT, memgpt: AgentType.AGENT_TYPE_MEMGPT };

export const agentsCreate: Command = {
  spec: {
    name: "agents create",
    args: [],
    summary: "Creates an agent (with the built-in tools of its type) and prints its id.",
    options: {
      name: { type: "string", label: "--name N", description: "display name (required)" },
      system: { type: "string", label: "--system S", description: "system prompt" },
      model: { type: "string", label: "--model M", description: "model handle, e.g. openai/gpt-4.1-mini; default: the provider-adapter's" },
      type: { type: "string", label: "--type react|memgpt", description: "how the loop drives the model (default react)" },
      ...JSON_OPTION,
    },
  },
  async run(ctx, args) {
    const name = stringFlag(args, "name");
    if (!name) throw new UsageError("--name is required", "agents create");
    const type = stringFlag(args, "type") ?? "react";
    const agentType = TYPES[type];
    if (agentType === undefined) throw new UsageError(`--type must be react or memgpt, got ${JSON.stringify(type)}`, "agents create");
    const agent = Agent.fromPartial({ name, system: stringFlag(args, "system") ?? "", model: stringFlag(args, "model") ?? "", agentType });
    const { store } = ctx.api;
    const created = (await callUnary(store.createAgent.bind(store), { agent }, ctx.api.unary())).agent!;
    if (booleanFlag(args, "json")) printJson(ctx, Agent.toJSON(created));
    else ctx.out(`${created.id}\n`);
    return 0;
  },
};

export const agentsList: Command = {
  spec: {
    name: "agents list",
    args: [],
    summary: "Lists the agents of your organization, oldest first.",
    options: { json: { type: "boolean", description: "print one agent per line as JSON" } },
  },
  async run(ctx, args) {
    const { store } = ctx.api;
    const agents: Agent[] = [];
    let pageToken = "";
    do {
      const request: ListAgentsRequest = { limit: 1000, pageToken, order: SortOrder.SORT_ORDER_ASC };
      const page = await callUnary(store.listAgents.bind(store), request, ctx.api.unary());
      agents.push(...page.agents);
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (booleanFlag(args, "json")) for (const a of agents) printJson(ctx, Agent.toJSON(a));
    else if (agents.length) ctx.out(table(agentRows(agents)));
    else ctx.err("no agents yet: create one with `conduit agents create --name N`\n");
    return 0;
  },
};

export const agentsShow: Command = {
  spec: { name: "agents show", args: ["<agent>"], summary: "Shows an agent: type, model, tools and memory blocks.", options: JSON_OPTION },
  async run(ctx, args) {
    const { store } = ctx.api;
    const agent = (await callUnary(store.getAgent.bind(store), { agentId: args.positionals[0]! }, ctx.api.unary())).agent!;
    if (booleanFlag(args, "json")) printJson(ctx, Agent.toJSON(agent));
    else ctx.out(agentDetails(agent));
    return 0;
  },
};
