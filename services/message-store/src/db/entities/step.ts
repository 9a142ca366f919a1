import { Column, Entity, PrimaryColumn } from "typeorm";
import type { JsonObject } from "./json.js";

@Entity({ name: "steps" })
export class StepRow {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "text", name: "run_id" }) runId: string;
  @Column({ type: "text", name: "agent_id" }) agentId: string;
  @Column({ type: "integer", name: "step_number" }) stepNumber: number;
  @Column({ type: "text" }) model: string;
  @Column({ type: "jsonb" }) usage: JsonObject;
  @Column({ type: "text", name: "finish_reason" }) finishReason: string;
  @Column({ type: "text", name: "raw_finish_reason" }) rawFinishReason: string;
  @Column({ type: "text", name: "stop_reason", nullable: true }) stopReason: string | null;
  @Column({ type: "boolean", name: "is_err" }) isErr: boolean;
  @Column({ type: "jsonb", nullable: true }) error: JsonObject | null;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "completed_at", nullable: true }) completedAt: Date | null;
}
