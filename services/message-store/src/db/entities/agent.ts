import { Column, Entity, PrimaryColumn } from "typeorm";
import type { JsonObject } from "./json.js";

/** JSON columns hold the proto3 JSON form of their messages (ts-proto toJSON/fromJSON). */
@Entity({ name: "agents" })
export class AgentRow {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "text" }) name: string;
  @Column({ type: "text" }) description: string;
  @Column({ type: "text", name: "agent_type" }) agentType: string;
  @Column({ type: "text" }) system: string;
  @Column({ type: "jsonb" }) tools: JsonObject[];
  @Column({ type: "jsonb", name: "tool_rules" }) toolRules: JsonObject[];
  @Column({ type: "text" }) model: string;
  @Column({ type: "jsonb", name: "model_settings" }) modelSettings: JsonObject;
  @Column({ type: "text" }) timezone: string;
  @Column({ type: "integer", name: "max_steps" }) maxSteps: number;
  @Column({ type: "jsonb", name: "message_ids" }) messageIds: string[];
  @Column({ type: "jsonb" }) metadata: Record<string, string>;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
  @Column({ type: "bigint", insert: false, update: false }) seq: string;
}
