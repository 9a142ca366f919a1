import { z } from "zod";
import { AgentType, type Agent, type MemoryBlock } from "@conduit/proto/agent/v1";
import { displayName, LIMITS, protoMessage } from "./schemas.js";

const text = (max: number = LIMITS.maxTextChars) => z.string().max(max, { error: `must be at most ${max} characters` });

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

export const memoryBlockInput = protoMessage<MemoryBlock>({
    label: blockLabel,
    value: text(),
    limit: z.number().int().min(0).max(LIMITS.maxTextChars, { error: `must be at most ${LIMITS.maxTextChars}` }),
    description: text(10_000),
    readOnly: z.boolean(),
  }).refine((b) => b.limit === 0 || b.value.length <= b.limit, {
    error: "value is longer than the block's limit",
    path: ["value"],
  });

export const toolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "expected 1-64 letters, digits, '_' or '-'" });

const tool = protoMessage<Agent["tools"][number]>({ name: toolName, description: text(10_000) });

/** The caller-settable part of an Agent (store-assigned fields are ignored, not checked). */
export const agentInput = protoMessage<Agent>({
  name: displayName,
  description: text(10_000),
  agentType: z.enum(AgentType, { error: "unknown agent_type" }).refine((t) => t !== AgentType.UNRECOGNIZED, {
    error: "unknown agent_type",
  }),
  system: text(),
  memoryBlocks: z.array(memoryBlockInput).max(100, { error: "at most 100 memory blocks" }).refine(uniqueBy((b: MemoryBlock) => b.label), {
    error: "labels must be unique",
  }),
  tools: z.array(tool).max(200, { error: "at most 200 tools" }).refine(uniqueBy((t: Agent["tools"][number]) => t.name), { error: "tool names must be unique" }),
  model: text(200),
  timezone,
  maxSteps: z.number().int().min(0).max(1000, { error: "must be at most 1000" }),
  metadata: z.record(z.string().max(200), text(10_000)),
});

function uniqueBy<T>(key: (item: T) => string) {
  return (items: readonly T[]) => new Set(items.map(key)).size === items.length;
}
