import { Column, Entity, PrimaryColumn } from "typeorm";

/** The in-context message list of a named conversation (the default one lives on the agent). */
@Entity({ name: "conversation_contexts" })
export class ConversationContextRow {
  @PrimaryColumn({ type: "text", name: "agent_id" }) agentId: string;
  @PrimaryColumn({ type: "text", name: "conversation_id" }) conversationId: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "jsonb", name: "message_ids" }) messageIds: string[];
  @Column({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
