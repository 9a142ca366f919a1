import { z } from "zod";
import {
  ErrorType,
  FinishReason,
  Message,
  MessageRole,
  RunStatus,
  StopReason,
  type RunError,
  type Step,
  type Usage,
} from "@conduit/proto/agent/v1";
import { SortOrder, type MessageIds } from "@conduit/proto/store/v1";
import { hasNul } from "./message-schemas.js";
import { protoEnum, text } from "./proto-schemas.js";
import { agentId, idOf, LIMITS, messageId, pageSize, protoMessage, runId, token } from "./schemas.js";

/** A proto enum value this server knows, other than the zero value. */
const requiredEnum = <E extends Record<string, string | number>>(values: E, what: string) =>
  protoEnum(values, what).refine((v) => v !== 0, { error: "must be set" });

/** An id field that may be left empty for the store to assign. */
const idOrEmpty = (kind: string) =>
  z.string().refine((s) => s === "" || idOf(kind).safeParse(s).success, { error: `expected empty or a ${kind} id (${kind}-<uuid>)` });

/** The agent-loop replica that owns a run. */
const owner = z.string().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" });

/** Lease lengths: at least a second, at most a day. */
export const MAX_LEASE_MS = 86_400_000;
const leaseTtlMs = z
  .number()
  .int()
  .min(1000, { error: "must be at least 1000" })
  .max(MAX_LEASE_MS, { error: `must be at most ${MAX_LEASE_MS}` });

export const runStatus = requiredEnum(RunStatus, "run status");
const stopReason = protoEnum(StopReason, "stop reason");

const tokenCount = z.number().int().min(0, { error: "must not be negative" }).optional();
const usage = protoMessage<Usage>({
  promptTokens: tokenCount,
  completionTokens: tokenCount,
  totalTokens: tokenCount,
  cachedInputTokens: tokenCount,
  cacheWriteTokens: tokenCount,
  reasoningTokens: tokenCount,
  contextTokens: tokenCount,
  stepCount: z.number().int().min(0, { error: "must not be negative" }),
});

const runError = protoMessage<RunError>({
  errorType: protoEnum(ErrorType, "error type"),
  message: text(10_000),
  detail: text(100_000),
});

export const createRunRequest = z.object({
  agentId,
  conversationId: token.optional(),
  background: z.boolean(),
  idempotencyKey: token.optional(),
  owner,
  leaseTtlMs,
  acquireLock: z.boolean(),
  includeContext: z.boolean(),
  running: z.boolean(),
});

export const listRunsRequest = z.object({
  agentId: agentId.optional(),
  conversationId: token.optional(),
  statuses: z.array(runStatus).max(10, { error: "at most 10 statuses" }),
  activeOnly: z.boolean(),
  background: z.boolean().optional(),
  limit: pageSize(50),
  pageToken: z.string().max(200),
  order: protoEnum(SortOrder, "sort order"),
});

export const transitionRunRequest = z
  .object({
    runId,
    expectedStatus: runStatus,
    newStatus: runStatus,
    stopReason,
    usage: usage.optional(),
    error: runError.optional(),
    ttftMs: z.number().int().min(0, { error: "must not be negative" }).optional(),
    owner: owner.optional(),
    leaseTtlMs: leaseTtlMs.optional(),
    expectedOwner: owner.optional(),
    onlyIfLeaseExpired: z.boolean(),
  })
  .refine((r) => r.owner === undefined || r.leaseTtlMs !== undefined, { error: "is required with owner", path: ["leaseTtlMs"] })
  .refine((r) => r.leaseTtlMs === undefined || r.owner !== undefined, { error: "is only taken with owner", path: ["leaseTtlMs"] });

export const runIdRequest = z.object({ runId });

export const discardRunRequest = z.object({ runId, owner });

export const renewLeaseRequest = z.object({ runId, owner, ttlMs: leaseTtlMs });

export const listExpiredLeasesRequest = z.object({ limit: pageSize(100) });

const step = protoMessage<Step>({
  id: idOrEmpty("step"),
  runId,
  agentId: idOrEmpty("agent"),
  stepNumber: z.number().int().min(1, { error: "must be at least 1" }).max(100_000, { error: "must be at most 100000" }),
  model: text(200),
  usage: usage.optional(),
  finishReason: protoEnum(FinishReason, "finish reason"),
  rawFinishReason: text(200),
  stopReason,
  isErr: z.boolean(),
  error: runError.optional(),
});

const encodedSize = (m: Message) => new TextEncoder().encode(JSON.stringify(Message.toJSON(m))).length;

// What CommitStep relies on and Postgres cannot store. TODO(#3): check the whole message model
// (content parts, tool returns, approvals) with AppendMessages' schema once message-schemas.ts
// exports it.
const stepMessage = protoMessage<Message>({
  id: idOrEmpty("message"),
  role: requiredEnum(MessageRole, "message role"),
  otid: z.string().max(200, { error: "must be at most 200 characters" }),
  model: text(200).optional(),
  name: text(200).optional(),
})
  .refine((m) => encodedSize(m) <= LIMITS.maxMessageBytes, { error: `is larger than ${LIMITS.maxMessageBytes} bytes` })
  // Postgres text and jsonb cannot hold NUL.
  .refine((m) => !hasNul(m), { error: "must not contain NUL characters" });

/** The first index whose key repeats an earlier one's (empty keys are the store's to assign). */
function firstRepeat<T>(items: readonly T[], key: (item: T) => string): number {
  const seen = new Set<string>();
  return items.findIndex((item) => {
    const k = key(item);
    if (k === "") return false;
    if (seen.has(k)) return true;
    seen.add(k);
    return false;
  });
}

const stepMessages = z
  .array(stepMessage)
  .max(LIMITS.maxBatch, { error: `at most ${LIMITS.maxBatch} messages` })
  .superRefine((messages, ctx) => {
    for (const field of ["id", "otid"] as const) {
      const at = firstRepeat(messages, (m) => m[field]);
      if (at >= 0) ctx.addIssue({ code: "custom", message: `repeats an earlier message's ${field}`, path: [at, field] });
    }
  });

export const MAX_CONTEXT_IDS = 100_000;

export const commitStepRequest = z.object({
  step,
  messages: stepMessages,
  inContextMessageIds: protoMessage<MessageIds>({
    ids: z.array(messageId).max(MAX_CONTEXT_IDS, { error: `at most ${MAX_CONTEXT_IDS} ids` }),
  }).optional(),
  expectedOwner: owner.optional(),
  endRun: z
    .object({
      stopReason: stopReason.refine((r) => r !== StopReason.STOP_REASON_UNSPECIFIED, { error: "must say why the run stopped" }),
      error: runError.optional(),
      ttftMs: z.number().int().min(0, { error: "must not be negative" }).optional(),
    })
    .optional(),
});
