import {
  Approval,
  ContentPart,
  messageRoleFromJSON,
  messageRoleToJSON,
  ToolCall,
  ToolReturn,
  type Message,
} from "@conduit/proto/agent/v1";
import { searchText } from "../core/search-text.js";
import { asJson, type MessageRow } from "../db/entities/index.js";

/** A message row as read back: the search text is only ever written. */
export type StoredMessageRow = Omit<MessageRow, "searchText">;

export function toMessage(row: StoredMessageRow): Message {
  return {
    id: row.id,
    agentId: row.agentId,
    conversationId: row.conversationId ?? undefined,
    runId: row.runId ?? undefined,
    stepId: row.stepId ?? undefined,
    role: messageRoleFromJSON(row.role),
    content: row.content.map((p) => ContentPart.fromJSON(p)),
    toolCalls: row.toolCalls.map((c) => ToolCall.fromJSON(c)),
    toolCallId: row.toolCallId ?? undefined,
    toolReturns: row.toolReturns.map((r) => ToolReturn.fromJSON(r)),
    approvals: row.approvals.map((a) => Approval.fromJSON(a)),
    model: row.model ?? undefined,
    name: row.name ?? undefined,
    otid: row.otid,
    sequenceId: row.sequenceId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt ?? undefined,
    isErr: row.isErr,
  };
}

/** A message row from JSON by column names (timestamps as ISO strings). */
export function messageRowOf(raw: Record<string, unknown>): StoredMessageRow {
  return {
    sequenceId: raw.sequence_id,
    id: raw.id,
    organizationId: raw.organization_id,
    agentId: raw.agent_id,
    conversationId: raw.conversation_id,
    runId: raw.run_id,
    stepId: raw.step_id,
    role: raw.role,
    content: raw.content,
    toolCalls: raw.tool_calls,
    toolCallId: raw.tool_call_id,
    toolReturns: raw.tool_returns,
    approvals: raw.approvals,
    model: raw.model,
    name: raw.name,
    otid: raw.otid,
    isErr: raw.is_err,
    createdAt: new Date(raw.created_at as string),
    updatedAt: raw.updated_at == null ? null : new Date(raw.updated_at as string),
  } as StoredMessageRow;
}

/** The columns a message is written with (ids and ownership are set by the caller). */
export function messageColumns(m: Message) {
  return {
    conversationId: m.conversationId ?? null,
    runId: m.runId ?? null,
    stepId: m.stepId ?? null,
    role: messageRoleToJSON(m.role),
    content: m.content.map((p) => asJson(ContentPart.toJSON(p))),
    toolCalls: m.toolCalls.map((c) => asJson(ToolCall.toJSON(c))),
    toolCallId: m.toolCallId ?? null,
    toolReturns: m.toolReturns.map((r) => asJson(ToolReturn.toJSON(r))),
    approvals: m.approvals.map((a) => asJson(Approval.toJSON(a))),
    model: m.model ?? null,
    name: m.name ?? null,
    isErr: m.isErr,
    searchText: searchText(m),
  };
}
