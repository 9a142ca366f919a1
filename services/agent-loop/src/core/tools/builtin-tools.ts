import { z } from "zod";
import { MessageRole, messageRoleFromJSON, messageRoleToJSON, type Message } from "@conduit/proto/agent/v1";
import { ToolRefusal, type RunStore } from "../ports.js";

/** What a built-in tool needs: the run's store, agent and signal. */
export interface BuiltinContext {
  store: RunStore;
  agentId: string;
  signal: AbortSignal;
}

interface Builtin<S extends z.ZodType> {
  args: S;
  /** Whether it may run at the same time as other calls of its step. */
  concurrent: boolean;
  run(args: z.infer<S>, ctx: BuiltinContext): Promise<string>;
}

const builtin = <S extends z.ZodType>(b: Builtin<S>) => b as Builtin<z.ZodType>;

async function blockValue(ctx: BuiltinContext, label: string): Promise<string> {
  const agent = await ctx.store.getAgent(ctx.agentId, ctx);
  const block = agent.memoryBlocks.find((b) => b.label === label);
  if (!block) {
    const labels = agent.memoryBlocks.map((b) => b.label).join(", ") || "none";
    throw new ToolRefusal(`no memory block labelled "${label}" (blocks: ${labels})`);
  }
  return block.value;
}

const memoryInsert = builtin({
  args: z.object({ label: z.string(), text: z.string(), line: z.number().int().min(0).optional() }),
  concurrent: false,
  async run({ label, text, line }, ctx) {
    const lines = (await blockValue(ctx, label)).split("\n");
    const at = line === undefined ? lines.length : Math.min(line, lines.length);
    const value = (lines.length === 1 && lines[0] === "" ? [text] : [...lines.slice(0, at), text, ...lines.slice(at)]).join("\n");
    await ctx.store.setBlockValue(ctx.agentId, label, value, ctx);
    return `Inserted into memory block "${label}".`;
  },
});

const memoryReplace = builtin({
  args: z.object({ label: z.string(), old_text: z.string().min(1), new_text: z.string() }),
  concurrent: false,
  async run({ label, old_text, new_text }, ctx) {
    const value = await blockValue(ctx, label);
    const count = value.split(old_text).length - 1;
    if (count !== 1) {
      throw new ToolRefusal(
        count === 0
          ? `old_text does not occur in memory block "${label}"`
          : `old_text occurs ${count} times in memory block "${label}"; include more context to make it unique`,
      );
    }
    await ctx.store.setBlockValue(ctx.agentId, label, value.replace(old_text, () => new_text), ctx);
    return `Replaced text in memory block "${label}".`;
  },
});

const SEARCH_ROLES = ["system", "user", "assistant", "tool"] as const;

const conversationSearch = builtin({
  args: z.object({
    query: z.string().min(1),
    roles: z.array(z.enum(SEARCH_ROLES)).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    start_date: z.iso.date().or(z.iso.datetime({ offset: true })).optional(),
    end_date: z.iso.date().or(z.iso.datetime({ offset: true })).optional(),
  }),
  concurrent: true,
  async run(args, ctx) {
    const found = await ctx.store.searchMessages(
      {
        agentId: ctx.agentId,
        query: args.query,
        roles: (args.roles ?? []).map((r) => messageRoleFromJSON(`MESSAGE_ROLE_${r.toUpperCase()}`)),
        limit: args.limit ?? 10,
        ...(args.start_date ? { startTime: new Date(args.start_date) } : {}),
        ...(args.end_date ? { endTime: endOf(args.end_date) } : {}),
      },
      ctx,
    );
    if (found.length === 0) return `No messages match "${args.query}".`;
    return JSON.stringify(found.map(summarize));
  },
});

const sendMessage = builtin({
  args: z.object({ message: z.string() }),
  concurrent: true,
  run: async () => "Sent message successfully.",
});

/** The tools the loop executes itself, by name. */
export const BUILTINS: ReadonlyMap<string, Builtin<z.ZodType>> = new Map([
  ["memory_insert", memoryInsert],
  ["memory_replace", memoryReplace],
  ["conversation_search", conversationSearch],
  ["send_message", sendMessage],
]);

/** A date alone means the whole day. */
const endOf = (date: string) => (date.length === 10 ? new Date(`${date}T23:59:59.999Z`) : new Date(date));

function summarize(m: Message) {
  const text = m.content.flatMap((p) => (p.part?.$case === "text" ? [p.part.value.text] : [])).join("\n");
  const role = m.role === MessageRole.MESSAGE_ROLE_UNSPECIFIED ? "unknown" : messageRoleName(m.role);
  return { role, time: m.createdAt?.toISOString(), text };
}

const messageRoleName = (role: MessageRole) => messageRoleToJSON(role).replace("MESSAGE_ROLE_", "").toLowerCase();
