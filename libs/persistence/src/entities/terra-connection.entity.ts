import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Persisted values: never rename one without a migration of the rows that hold it. */
export enum ConnectionStatus {
  Active = 'active',
  Error = 'error',
  Revoked = 'revoked',
  Disconnected = 'disconnected',
  Replaced = 'replaced',
}

/**
 * One Terra user id = one provider account connection (terra-contract.md §6). Table and column names are persisted
 * identifiers: a rename needs a migration.
 */
@Entity({ name: 'terra_connections' })
@Index('idx_terra_connections_reference_id', ['referenceId', 'id'])
@Check('chk_terra_connections_status', `"status" IN ('active','error','revoked','disconnected','replaced')`)
export class TerraConnectionEntity {
  /** bigint comes back from pg as a string; kept so to never lose precision. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_terra_connections' })
  id!: string;

  @Index('uq_terra_connections_terra_user_id', { unique: true })
  @Column({ name: 'terra_user_id', type: 'varchar', length: 64 })
  terraUserId!: string;

  @Column({ name: 'reference_id', type: 'varchar', length: 255, nullable: true })
  referenceId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ type: 'varchar', length: 20, default: ConnectionStatus.Active })
  status!: ConnectionStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes!: string[];

  /** Set on a user_reauth: the Terra user id that superseded this one. */
  @Column({ name: 'replaced_by', type: 'varchar', length: 64, nullable: true })
  replacedBy!: string | null;

  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt!: Date | null;

  @Column({ name: 'disconnected_at', type: 'timestamptz', nullable: true })
  disconnectedAt!: Date | null;

  @Column({ name: 'last_webhook_at', type: 'timestamptz', nullable: true })
  lastWebhookAt!: Date | null;

  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true })
  lastSyncAt!: Date | null;

  /**
   * When Terra emitted the event that set the current status (ordering timestamp, else signature time).
   * A later-arriving but older event must never move the status back (an auth retried after a deauth).
   */
  @Column({ name: 'status_changed_at', type: 'timestamptz', nullable: true })
  statusChangedAt!: Date | null;

  /**
   * When Terra emitted the event that set the current scopes (auth, user_reauth, permission_change): an older
   * permission_change delivered late must not overwrite newer scopes. NULL: not set from an event yet.
   */
  @Column({ name: 'scopes_changed_at', type: 'timestamptz', nullable: true })
  scopesChangedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
