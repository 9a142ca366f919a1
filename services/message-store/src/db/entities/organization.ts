import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity({ name: "organizations" })
export class OrganizationRow {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "text" }) name: string;
  @Column({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
