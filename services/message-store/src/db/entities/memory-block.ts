import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity({ name: "memory_blocks" })
export class MemoryBlockRow {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "text", name: "agent_id" }) agentId: string;
  @Column({ type: "text" }) label: string;
  @Column({ type: "text" }) value: string;
  @Column({ type: "integer" }) limit: number;
  @Column({ type: "text" }) description: string;
  @Column({ type: "boolean", name: "read_only" }) readOnly: boolean;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
  @Column({ type: "bigint", insert: false, update: false }) seq: string;
}
