import { z } from "zod";
import { parseRequest } from "@conduit/grpc-kit";
import {
  MessagePayloadType,
  MessageRole,
  ToolExecutor,
  type MessageCreate,
  type SendMessageRequest,
  type StartRunRequest,
  type Tool,
} from "@conduit/proto/agent/v1";

/** Limits of a run request; the service README documents them. */
export const REQUEST_LIMITS = {
  maxMessages: 100,
  maxSteps: 500,
  maxOtidChars: 128,
  maxConversationIdChars: 128,
  minPingIntervalMs: 100,
  defaultPingIntervalMs: 15_000,
  maxClientTools: 128,
} as const;

/** A validated SendMessage or StartRun. */
export interface RunRequest {
  agentId: string;
  conversationId: string | undefined;
  messages: MessageCreate[];
  streamTokens: boolean;
  include: ReadonlySet<MessagePayloadType>;
  maxSteps: number | undefined;
  background: boolean;
  clientTools: Tool[];
  pingIntervalMs: number;
}

const INPUT_ROLES = [MessageRole.MESSAGE_ROLE_UNSPECIFIED, MessageRole.MESSAGE_ROLE_USER, MessageRole.MESSAGE_ROLE_SYSTEM, MessageRole.MESSAGE_ROLE_APPROVAL];

const inputPart = z.looseObject({
  part: z.looseObject({ $case: z.enum(["text", "image"], { error: "only text and image parts are accepted" }) }, { error: "must not be empty" }),
});

const approval = z.looseObject({
  approval: z.union(
    [
      z.looseObject({ $case: z.literal("decision"), value: z.looseObject({ toolCallId: z.string().min(1, { error: "must name the tool call" }) }) }),
      z.looseObject({
        $case: z.literal("toolReturn"),
        value: z.looseObject({ toolCallId: z.string().min(1, { error: "must name the tool call" }), parts: z.array(inputPart) }),
      }),
    ],
    { error: "must be a decision or a tool return" },
  ),
});

const message = z
  .looseObject({
    role: z.number().refine((r) => INPUT_ROLES.includes(r), { error: "must be USER, SYSTEM or APPROVAL" }),
    content: z.array(inputPart),
    otid: z.string().max(REQUEST_LIMITS.maxOtidChars, { error: `must be at most ${REQUEST_LIMITS.maxOtidChars} characters` }),
    approvals: z.array(approval),
  })
  .superRefine((m, ctx) => {
    const answering = m.approvals.length > 0;
    if (answering && m.role !== MessageRole.MESSAGE_ROLE_UNSPECIFIED && m.role !== MessageRole.MESSAGE_ROLE_APPROVAL) {
      ctx.addIssue({ code: "custom", path: ["role"], message: "a message carrying approvals must have role APPROVAL (or none)" });
    }
    if (!answering && m.role === MessageRole.MESSAGE_ROLE_APPROVAL) {
      ctx.addIssue({ code: "custom", path: ["approvals"], message: "an APPROVAL message must carry approvals" });
    }
    if (!answering && m.content.length === 0) ctx.addIssue({ code: "custom", path: ["content"], message: "must not be empty" });
  });

const clientTool = z.looseObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: "must match ^[a-zA-Z0-9_-]{1,64}$" }),
});

const common = {
  agentId: z.string().min(1, { error: "must not be empty" }),
  conversationId: z
    .string()
    .min(1, { error: "must not be empty when set" })
    .max(REQUEST_LIMITS.maxConversationIdChars, { error: `must be at most ${REQUEST_LIMITS.maxConversationIdChars} characters` })
    .optional(),
  messages: z
    .array(message)
    .min(1, { error: "must hold at least one message" })
    .max(REQUEST_LIMITS.maxMessages, { error: `must hold at most ${REQUEST_LIMITS.maxMessages} messages` })
    .refine((ms) => ms.filter((m) => m.approvals.length > 0).length <= 1, { error: "at most one message may carry approvals" }),
  maxSteps: z.number().int().min(1, { error: "must be at least 1" }).max(REQUEST_LIMITS.maxSteps, { error: `must be at most ${REQUEST_LIMITS.maxSteps}` }).optional(),
  clientTools: z
    .array(clientTool)
    .max(REQUEST_LIMITS.maxClientTools, { error: `must hold at most ${REQUEST_LIMITS.maxClientTools} tools` })
    .superRefine((tools, ctx) => {
      const seen = new Set<string>();
      tools.forEach((t, i) => {
        if (seen.has(t.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${t.name}" is declared twice` });
        seen.add(t.name);
      });
    }),
};

const pingIntervalMs = z
  .number()
  .int()
  .min(REQUEST_LIMITS.minPingIntervalMs, { error: `must be at least ${REQUEST_LIMITS.minPingIntervalMs}` })
  .optional();

const sendSchema = z.looseObject({
  ...common,
  pingIntervalMs,
  includeReturnMessageTypes: z.array(z.number().refine((t) => t !== MessagePayloadType.MESSAGE_PAYLOAD_TYPE_UNSPECIFIED, { error: "must not be UNSPECIFIED" })),
});

const startSchema = z.looseObject(common);

/** SendMessage's input, checked; the first problem is INVALID_ARGUMENT naming its field. */
export function parseSendMessage(request: SendMessageRequest): RunRequest {
  parseRequest(sendSchema, request);
  return {
    ...base(request),
    streamTokens: request.streamTokens,
    include: new Set(request.includeReturnMessageTypes),
    background: request.background,
    pingIntervalMs: request.pingIntervalMs ?? REQUEST_LIMITS.defaultPingIntervalMs,
  };
}

/** StartRun's input, checked: always a background run. */
export function parseStartRun(request: StartRunRequest): RunRequest {
  parseRequest(startSchema, request);
  return {
    ...base(request),
    streamTokens: request.streamTokens,
    include: new Set(),
    background: true,
    pingIntervalMs: REQUEST_LIMITS.defaultPingIntervalMs,
  };
}

function base(request: SendMessageRequest | StartRunRequest) {
  return {
    agentId: request.agentId,
    conversationId: request.conversationId,
    messages: request.messages,
    maxSteps: request.maxSteps,
    // Declared for this run, executed by the caller, whatever executor they named.
    clientTools: request.clientTools.map((t) => ({ ...t, executor: ToolExecutor.TOOL_EXECUTOR_CLIENT })),
  };
}
