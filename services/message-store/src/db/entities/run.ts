import { Column, Entity, PrimaryColumn } from "typeorm";
import type { JsonObject } from "./json.js";

/** Status and stop reason hold the proto enum names (RUN_STATUS_RUNNING, STOP_REASON_END_TURN). */
@Entity({ name: "runs" })
export class RunRow {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "text", name: "agent_id" }) agentId: string;
  @Column({ type: "text", name: "conversation_id", nullable: true }) conversationId: string | null;
  @Column({ type: "text" }) status: string;
  @Column({ type: "text", name: "stop_reason", nullable: true }) stopReason: string | null;
  @Column({ type: "boolean" }) background: boolean;
  @Column({ type: "text", nullable: true }) owner: string | null;
  @Column({ type: "timestamptz", name: "lease_expires_at", nullable: true }) leaseExpiresAt: Date | null;
  @Column({ type: "jsonb" }) usage: JsonObject;
  @Column({ type: "integer", name: "ttft_ms", nullable: true }) ttftMs: number | null;
  @Column({ type: "jsonb", nullable: true }) error: JsonObject | null;
  @Column({ type: "text", name: "idempotency_key", nullable: true }) idempotencyKey: string | null;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "started_at", nullable: true }) startedAt: Date | null;
  @Column({ type: "timestamptz", name: "completed_at", nullable: true }) completedAt: Date | null;
  @Column({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
  @Column({ type: "bigint", insert: false, update: false }) seq: string;
}

/** The run holding the one-active-run lock of an agent (conversation_key '') or conversation. */
@Entity({ name: "run_locks" })
export class RunLockRow {
  @PrimaryColumn({ type: "text", name: "agent_id" }) agentId: string;
  @PrimaryColumn({ type: "text", name: "conversation_key" }) conversationKey: string;
  @Column({ type: "text", name: "run_id" }) runId: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "timestamptz", name: "acquired_at" }) acquiredAt: Date;
}
