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
 * One row per Terra user id (terra-contract.md §6), each in exactly one connection (`connection_id`): one
 * provider account of one person, whose Terra ids a `user_reauth` chains together. The connection's state is
 * its current id's row (`is_current`); the others are its history (`replaced`). Table and column names are
 * persisted identifiers: a rename needs a migration.
 *
 * Not declared here (TypeORM cannot): the expression index `idx_terra_connections_first_id_uuid` on
 * `tc_connection_uuid(terra_user_id)` and that SQL function (migration 1764000006000).
 */
@Entity({ name: 'terra_connections' })
@Index('idx_terra_connections_reference_id', ['referenceId', 'connectionSeq'], { where: '"is_current"' })
@Index('idx_terra_connections_listing', ['connectionSeq'], { where: '"is_current"' })
@Index('idx_terra_connections_connection_id', ['connectionId', 'chainPosition', 'terraUserId'])
@Index('idx_terra_connections_first_id_uuid', { synchronize: false })
@Index('idx_terra_connections_stale', ['connectionSeq'], { where: `"is_current" AND "freshness" = 'stale'` })
@Check('chk_terra_connections_freshness', `"freshness" IN ('fresh','stale','unknown')`)
@Check('chk_terra_connections_status', `"status" IN ('active','error','revoked','disconnected','replaced')`)
export class TerraConnectionEntity {
  /** bigint comes back from pg as a string; kept so to never lose precision. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_terra_connections' })
  id!: string;

  @Index('uq_terra_connections_terra_user_id', { unique: true })
  @Column({ name: 'terra_user_id', type: 'varchar', length: 64 })
  terraUserId!: string;

  /** The connection this Terra id belongs to (a new connection's: tc_connection_uuid of its first id). */
  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId!: string;

  /** Order of the connection's Terra ids, oldest lowest (may be negative: an older id learnt later). */
  @Column({ name: 'chain_position', type: 'integer', default: 0 })
  chainPosition!: number;

  /** The connection's current Terra id: exactly one row per connection. */
  @Column({ name: 'is_current', type: 'boolean', default: true })
  isCurrent!: boolean;

  /** The listing's keyset key: the same on every row of a connection (the first row's). */
  @Column({ name: 'connection_seq', type: 'bigint', default: () => "nextval('terra_connections_connection_seq')" })
  connectionSeq!: string;

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

  /**
   * Whether data arrives as the connection's own rhythm says it should (ConnectionFreshness): set by the
   * freshness job, and back to `fresh` by the data event that ends a silence. Persisted values.
   */
  @Column({ type: 'varchar', length: 10, default: 'unknown' })
  freshness!: 'fresh' | 'stale' | 'unknown';

  /** When data (any type) last arrived for this Terra id while its connection was live. */
  @Column({ name: 'last_data_at', type: 'timestamptz', nullable: true })
  lastDataAt!: Date | null;

  /** When the connection went stale (the silence's start is in connection_data_freshness); null unless stale. */
  @Column({ name: 'stale_since', type: 'timestamptz', nullable: true })
  staleSince!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
