import { Column, Entity, PrimaryColumn } from "typeorm";
import type { JsonObject } from "./json.js";

/**
 * `sequence_id` (BIGSERIAL) is the cursor of every listing. `search_text` is what full-text
 * search sees; its `search` tsvector is written with it (see `SEARCH_VECTOR`), unmapped here.
 */
@Entity({ name: "messages" })
export class MessageRow {
  @PrimaryColumn({ type: "bigint", name: "sequence_id", insert: false, update: false }) sequenceId: string;
  @Column({ type: "text" }) id: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "text", name: "agent_id" }) agentId: string;
  @Column({ type: "text", name: "conversation_id", nullable: true }) conversationId: string | null;
  @Column({ type: "text", name: "run_id", nullable: true }) runId: string | null;
  @Column({ type: "text", name: "step_id", nullable: true }) stepId: string | null;
  @Column({ type: "text" }) role: string;
  @Column({ type: "jsonb" }) content: JsonObject[];
  @Column({ type: "jsonb", name: "tool_calls" }) toolCalls: JsonObject[];
  @Column({ type: "text", name: "tool_call_id", nullable: true }) toolCallId: string | null;
  @Column({ type: "jsonb", name: "tool_returns" }) toolReturns: JsonObject[];
  @Column({ type: "jsonb" }) approvals: JsonObject[];
  @Column({ type: "text", nullable: true }) model: string | null;
  @Column({ type: "text", nullable: true }) name: string | null;
  @Column({ type: "text" }) otid: string;
  @Column({ type: "boolean", name: "is_err" }) isErr: boolean;
  @Column({ type: "text", name: "search_text" }) searchText: string;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "updated_at", nullable: true }) updatedAt: Date | null;
}
