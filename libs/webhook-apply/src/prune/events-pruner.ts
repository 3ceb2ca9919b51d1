import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { DataSource } from 'typeorm';
import { PRUNE_BATCH_SIZE, type PruneResult, runBatchedPrune } from './batched-prune';

/** Next to the inbox pruner's: one events pruner at a time across every worker. */
export const EVENTS_PRUNE_LOCK_ID = 7_104_311_004;

/**
 * One batch, oldest first through idx_events_created_at, by primary key (the inbox pruner's shape). Never an
 * event the dispatcher has not passed yet (workers down for longer than the retention) nor one with a delivery
 * still pending (its retries run for about 27.5 hours): deleting it would cascade to that delivery.
 */
export const DELETE_EXPIRED_EVENTS_SQL = `DELETE FROM events WHERE id = ANY(ARRAY(
  SELECT e.id FROM events e WHERE e.created_at < $1
    AND e.id <= (SELECT row_id FROM event_dispatch_position WHERE id = 1)
    AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_row_id = e.id AND d.status = 'pending')
  ORDER BY e.created_at LIMIT $2 FOR UPDATE SKIP LOCKED))`;

/**
 * Deletes outbound events older than EVENTS_RETENTION_DAYS, in batches, run by the inbox prune job. The
 * per-connection sequence counters stay: a connection's numbering never restarts. A feed cursor older than the
 * retention still works: it resumes at the oldest event kept.
 */
@Injectable()
export class EventsPruner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventsPruner.name);
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'EVENTS_RETENTION_DAYS'>,
  ) {}

  async prune(): Promise<PruneResult> {
    const days = this.config.EVENTS_RETENTION_DAYS;
    const result = await runBatchedPrune(this.dataSource, {
      lockId: EVENTS_PRUNE_LOCK_ID,
      days,
      stopping: () => this.stopping,
      deleteBatch: async (runner, cutoff) => (await runner.query(DELETE_EXPIRED_EVENTS_SQL, [cutoff, PRUNE_BATCH_SIZE], true)).affected ?? 0,
    });
    if (!result.skipped) this.logger.log(`Events prune removed ${result.deleted} event(s) older than ${days} day(s)`);
    return result;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
