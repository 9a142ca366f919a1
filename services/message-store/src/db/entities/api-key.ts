import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity({ name: "api_keys" })
export class ApiKeyRow {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "text", name: "organization_id" }) organizationId: string;
  @Column({ type: "text" }) name: string;
  @Column({ type: "text", name: "key_prefix" }) keyPrefix: string;
  /** SHA-256 of the key, hex. Keys are random 256-bit secrets, so a fast hash is enough. */
  @Column({ type: "text", name: "key_hash" }) keyHash: string;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "last_used_at", nullable: true }) lastUsedAt: Date | null;
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true }) revokedAt: Date | null;
  @Column({ type: "bigint", insert: false, update: false }) seq: string;
}
