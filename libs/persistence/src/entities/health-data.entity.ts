import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Persisted values: the data webhook types we store. */
export enum HealthDataType {
  Activity = 'activity',
  Sleep = 'sleep',
  Body = 'body',
  Daily = 'daily',
  Nutrition = 'nutrition',
  Menstruation = 'menstruation',
  Athlete = 'athlete',
}

/**
 * One record of health data per connection and Terra key: summary_id (activity, sleep), the day sliced from
 * metadata.start_time (daily, body, nutrition, menstruation), or 'athlete'. Keyed by connection_id, not by a
 * foreign key: data that races ahead of its `auth` waits under tc_connection_uuid(terra_user_id), the id the
 * connection will get, and joins another connection (a `user_reauth`) by a re-key.
 */
@Entity({ name: 'health_data' })
@Index('uq_health_data_key', ['connectionId', 'type', 'dataKey'], { unique: true })
@Index('idx_health_data_read', ['connectionId', 'type', 'startTime', 'id'])
export class HealthDataEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_health_data' })
  id!: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId!: string;

  /** The Terra id that sent the stored copy. */
  @Column({ name: 'terra_user_id', type: 'varchar', length: 64 })
  terraUserId!: string;

  @Column({ type: 'varchar', length: 20 })
  type!: HealthDataType;

  @Column({ name: 'data_key', type: 'varchar', length: 200 })
  dataKey!: string;

  @Column({ name: 'summary_id', type: 'varchar', length: 200, nullable: true })
  summaryId!: string | null;

  @Column({ type: 'date', nullable: true })
  date!: string | null;

  @Column({ name: 'start_time', type: 'timestamptz', nullable: true })
  startTime!: Date | null;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime!: Date | null;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  /** The item's size as JSON text when written (null for rows stored before it was kept): reads page on it. */
  @Column({ name: 'payload_bytes', type: 'integer', nullable: true })
  payloadBytes!: number | null;

  /** Emission time of the event that wrote this copy: an older retry never overwrites a newer copy. */
  @Column({ name: 'event_at', type: 'timestamptz' })
  eventAt!: Date;

  @Column({ name: 'webhook_event_id', type: 'bigint', nullable: true })
  webhookEventId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
