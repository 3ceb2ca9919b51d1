import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Persisted values. */
export enum AttemptKind {
  Widget = 'widget',
  Direct = 'direct',
  Mobile = 'mobile',
}

/** Persisted values. */
export enum AttemptStatus {
  Pending = 'pending',
  Succeeded = 'succeeded',
  Failed = 'failed',
  Cancelled = 'cancelled',
}

/**
 * A connect request we started (widget session, direct auth URL or mobile token), so the `auth` webhook that
 * follows can be matched to it: by widget_session_id, by the user id authenticateUser pre-allocated, or by
 * reference_id for the mobile SDK.
 */
@Entity({ name: 'connection_attempts' })
@Index('idx_connection_attempts_reference_id', ['referenceId', 'createdAt'])
@Check('chk_connection_attempts_kind', `"kind" IN ('widget','direct','mobile')`)
@Check('chk_connection_attempts_status', `"status" IN ('pending','succeeded','failed','cancelled')`)
export class ConnectionAttemptEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_connection_attempts' })
  id!: string;

  @Column({ type: 'varchar', length: 10 })
  kind!: AttemptKind;

  @Index('idx_connection_attempts_session_id', { where: '"session_id" IS NOT NULL' })
  @Column({ name: 'session_id', type: 'varchar', length: 128, nullable: true })
  sessionId!: string | null;

  /** For direct auth: the user id authenticateUser allocated. For a succeeded attempt: the connected id. */
  @Index('idx_connection_attempts_terra_user_id', { where: '"terra_user_id" IS NOT NULL' })
  @Column({ name: 'terra_user_id', type: 'varchar', length: 64, nullable: true })
  terraUserId!: string | null;

  @Column({ name: 'reference_id', type: 'varchar', length: 255 })
  referenceId!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  providers!: string[];

  @Column({ type: 'varchar', length: 12, default: AttemptStatus.Pending })
  status!: AttemptStatus;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
