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

export function toMessage(row: MessageRow): Message {
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
