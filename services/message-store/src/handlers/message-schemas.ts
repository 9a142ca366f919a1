import { z } from "zod";
import { Message, MessageRole, ToolReturnStatus, type ContentPart, type ImageContent } from "@conduit/proto/agent/v1";
import { SortOrder } from "@conduit/proto/store/v1";
import type { Direction } from "../core/message-cursor.js";
import { maskSpec } from "../core/field-mask.js";
import { checkMaskedFields, fieldMask, oneofMessage, protoEnum, text } from "./proto-schemas.js";
import { agentId, LIMITS, messageId, pageSize, protoMessage, runId, stepId, token } from "./schemas.js";

/** Ids and names that come from models and callers: bounded, may be empty. */
const shortText = text(200);

/** A role a message can have (UNSPECIFIED is refused). */
const messageRole = protoEnum(MessageRole, "role").refine((r) => r !== MessageRole.MESSAGE_ROLE_UNSPECIFIED, {
  error: "must be set",
});

/** Postgres text and jsonb cannot hold NUL, so a message that carries one is refused. */
export function hasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasNul);
  return false;
}

const NO_NUL = "must not contain NUL characters";

const image = oneofMessage<ImageContent>(
  "source",
  { url: z.string().regex(/^https?:\/\/\S+$/, { error: "expected an http(s) URL" }).max(8192), base64: z.looseObject({ mediaType: shortText }) },
  { required: true },
);

const content = oneofMessage<ContentPart>(
  "part",
  {
    text: z.looseObject({}),
    image,
    reasoning: z.looseObject({}),
    redactedReasoning: z.looseObject({}),
    omittedReasoning: z.looseObject({}),
    summarizedReasoning: z.looseObject({ id: shortText }),
  },
  { required: true },
);

/** Tool returns carry what the model sees: text and image parts only. */
const toolReturnPart = oneofMessage<ContentPart>("part", { text: z.looseObject({}), image }, { required: true });

const toolReturn = z.looseObject({
  toolCallId: shortText,
  status: protoEnum(ToolReturnStatus, "status"),
  parts: z.array(toolReturnPart),
});

const approval = oneofMessage(
  "approval",
  { decision: z.looseObject({ toolCallId: shortText, reason: text(10_000).optional() }), toolReturn },
  { required: true },
);

/**
 * One message as a writer sends it (AppendMessages, CommitStep): every field it sets is
 * checked, the whole message fits LIMITS.maxMessageBytes as JSON and holds no NUL.
 * Store-assigned fields (sequence_id, created_at, updated_at) are ignored.
 */
export const messageInput = protoMessage<Message>({
  id: z.union([z.literal(""), messageId]),
  agentId: z.union([z.literal(""), agentId]),
  conversationId: token.optional(),
  runId: runId.optional(),
  stepId: stepId.optional(),
  role: messageRole,
  content: z.array(content),
  toolCalls: z.array(z.looseObject({ id: shortText, name: shortText })),
  toolCallId: shortText.optional(),
  toolReturns: z.array(toolReturn),
  approvals: z.array(approval),
  model: shortText.optional(),
  name: shortText.optional(),
  otid: z.string().max(200, { error: "must be at most 200 characters" }),
}).superRefine((m, ctx) => {
  const bytes = new TextEncoder().encode(JSON.stringify(Message.toJSON(m))).byteLength;
  if (bytes > LIMITS.maxMessageBytes) {
    ctx.addIssue({ code: "custom", message: `is ${bytes} bytes as JSON; at most ${LIMITS.maxMessageBytes}` });
  } else if (hasNul(m)) ctx.addIssue({ code: "custom", message: NO_NUL });
});

export const appendMessagesRequest = z
  .object({
    agentId,
    messages: z
      .array(messageInput)
      .min(1, { error: "must hold at least one message" })
      .max(LIMITS.maxBatch, { error: `must hold at most ${LIMITS.maxBatch} messages` }),
    addToContext: z.boolean(),
  })
  .superRefine((req, ctx) => {
    const issue = (i: number, field: string, message: string) =>
      ctx.addIssue({ code: "custom", message, path: ["messages", i, field] });
    const otids = new Map<string, number>();
    const conversation = req.messages[0]?.conversationId;
    req.messages.forEach((m, i) => {
      if (m.agentId && m.agentId !== req.agentId) issue(i, "agentId", "must be empty or the request's agent_id");
      if (m.otid && otids.has(m.otid)) issue(i, "otid", `is also the otid of messages[${otids.get(m.otid)}]`);
      if (m.otid) otids.set(m.otid, i);
      if (m.conversationId !== conversation) issue(i, "conversationId", "all messages of one request must be in the same conversation");
    });
  });

/** A sequence_id cursor (uint64, decoded as a decimal string). */
const cursor = z.string().regex(/^\d{1,20}$/, { error: "expected a sequence id" });

const sortOrder = (fallback: Direction) =>
  protoEnum(SortOrder, "order").transform((o): Direction =>
    o === SortOrder.SORT_ORDER_ASC ? "asc" : o === SortOrder.SORT_ORDER_DESC ? "desc" : fallback,
  );

const listFilters = {
  agentId,
  conversationId: token.optional(),
  roles: z.array(messageRole).max(10, { error: "must hold at most 10 roles" }),
  before: cursor.optional(),
  after: cursor.optional(),
  limit: pageSize(100),
};

export const listMessagesRequest = z.object({ ...listFilters, runId: runId.optional(), order: sortOrder("asc") });

/** A time Postgres can store and a person could mean. */
const timestamp = z.date({ error: "expected a valid timestamp" }).refine((d) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, {
  error: "must be between years 1 and 9999",
});

export const searchMessagesRequest = z
  .object({
    ...listFilters,
    query: z
      .string()
      .max(1000, { error: "must be at most 1000 characters" })
      .refine((q) => q.trim() !== "", { error: "must not be empty" })
      .refine((q) => !q.includes("\u0000"), { error: NO_NUL }),
    startTime: timestamp.optional(),
    endTime: timestamp.optional(),
    order: sortOrder("desc"),
  })
  .refine((r) => !r.startTime || !r.endTime || r.startTime < r.endTime, { error: "must be after start_time", path: ["endTime"] });

export const getMessageRequest = z.object({ messageId });

export const listContextMessagesRequest = z.object({ agentId, conversationId: token.optional() });

/** The fields UpdateMessage may replace; `message.id` names the message. */
export const MESSAGE_UPDATE_MASK = maskSpec(["content", "name"] as const);

const updatable = {
  content: z.array(content).refine((parts) => !hasNul(parts), { error: NO_NUL }),
  name: shortText.refine((n) => !n.includes("\u0000"), { error: NO_NUL }).optional(),
};

export const updateMessageRequest = z
  .object({
    message: protoMessage<Message>({ id: messageId }).optional().refine((m) => m !== undefined, { error: "must be set" }),
    updateMask: fieldMask(MESSAGE_UPDATE_MASK),
  })
  .superRefine((req, ctx) => {
    if (req.message) checkMaskedFields(req.message, req.updateMask, updatable, ["message"], ctx);
  })
  .transform((req) => ({ message: req.message!, keys: req.updateMask }));

