import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Persisted values. */
export enum WebhookEventStatus {
  Pending = 'pending',
  Processed = 'processed',
  Failed = 'failed',
}

/**
 * The webhook inbox: every verified delivery, stored before we answer Terra. Workers apply a row and mark it
 * processed in the same transaction, so a row is applied at most once whatever the queue does.
 */
@Entity({ name: 'webhook_events' })
@Index('idx_webhook_events_pending', ['receivedAt'], { where: `"status" = 'pending'` })
@Index('idx_webhook_events_processed_at', ['processedAt'], { where: `"status" = 'processed'` })
@Index('idx_webhook_events_status_id', ['status', 'id'])
@Index('idx_webhook_events_terra_user_id', ['terraUserId', 'id'])
@Check('chk_webhook_events_status', `"status" IN ('pending','processed','failed')`)
export class WebhookEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_webhook_events' })
  id!: string;

  /** x-terra-trace-id when sent, else SHA-256 of the body; never terra-reference (shared by backfill chunks). */
  @Index('uq_webhook_events_dedup_key', { unique: true })
  @Column({ name: 'dedup_key', type: 'varchar', length: 200 })
  dedupKey!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ name: 'terra_user_id', type: 'varchar', length: 64, nullable: true })
  terraUserId!: string | null;

  @Column({ name: 'reference_id', type: 'varchar', length: 255, nullable: true })
  referenceId!: string | null;

  @Column({ name: 'terra_reference', type: 'varchar', length: 255, nullable: true })
  terraReference!: string | null;

  /** x-terra-ordering-timestamp (unix ms) when Terra sent one. */
  @Column({ name: 'ordering_timestamp', type: 'bigint', nullable: true })
  orderingTimestamp!: string | null;

  /** The effective emission time used for ordering: ordering timestamp, else the signature's `t`. */
  @Column({ name: 'event_at', type: 'timestamptz' })
  eventAt!: Date;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ type: 'varchar', length: 12, default: WebhookEventStatus.Pending })
  status!: WebhookEventStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Deliveries of the same event after the first (Terra retries, replays). */
  @Column({ name: 'duplicate_count', type: 'int', default: 0 })
  duplicateCount!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}
