import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MetricsService } from '@terra-connections/observability';
import { WebhookEventStatus } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { PRUNE_BATCH_SIZE, type PruneResult, runBatchedPrune } from './batched-prune';

export { PRUNE_BATCH_SIZE, type PruneResult };

/** Arbitrary constant next to the migrator's (7_104_311_002): one pruner at a time across every worker. */
export const PRUNE_LOCK_ID = 7_104_311_003;
export const PRUNED_METRIC = 'terra_webhook_events_pruned_total';

/**
 * One batch: $1 status, $2 cutoff, $3 batch size. The ids are picked oldest first through the partial index
 * idx_webhook_events_processed_at and handed over as an array, so the rows are found by primary key: with
 * `id IN (SELECT ...)` Postgres hash-joins the ids against a sequential scan of the whole table instead.
 * SKIP LOCKED: a row another transaction holds is left for the next run rather than waited on.
 */
export const DELETE_EXPIRED_BATCH_SQL = `DELETE FROM webhook_events WHERE id = ANY(ARRAY(
  SELECT id FROM webhook_events
  WHERE status = $1 AND processed_at < $2
  ORDER BY processed_at LIMIT $3
  FOR UPDATE SKIP LOCKED))`;

/**
 * Deletes processed inbox rows whose processed_at is older than WEBHOOK_EVENTS_RETENTION_DAYS, oldest first,
 * in batches, through the partial index idx_webhook_events_processed_at. Pending and failed rows are never
 * touched: they have not been applied yet (a failed one waits for a replay). Deleting a row also forgets its
 * dedup key, so the retention is the dedup window: an identical delivery after it is stored and applied again.
 *
 * health_data.webhook_event_id names the event that last wrote a record, as provenance only: it is no foreign
 * key (health data is keyed by Terra user id), no query of the service joins on it, and it is left naming the
 * pruned id. Nulling it would cost an UPDATE of health_data per batch with no index to find the rows.
 *
 * A session advisory lock keeps concurrent runs (a run outlasting its interval, several workers) from doing
 * the same work twice; the loser returns at once. The lock lives on the one connection the run uses, so a
 * worker that dies mid-run releases it with its connection.
 */
@Injectable()
export class InboxPruner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InboxPruner.name);
  private readonly prunedCounter?: Counter;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'WEBHOOK_EVENTS_RETENTION_DAYS'>,
    @Optional() metrics?: MetricsService,
  ) {
    // Registered here rather than in MetricsService: only the worker prunes, and the registry is shared.
    if (metrics) {
      this.prunedCounter =
        (metrics.registry.getSingleMetric(PRUNED_METRIC) as Counter | undefined) ??
        new Counter({
          name: PRUNED_METRIC,
          help: 'Processed webhook inbox rows deleted by the retention job (WEBHOOK_EVENTS_RETENTION_DAYS)',
          registers: [metrics.registry],
        });
    }
  }

  async prune(): Promise<PruneResult> {
    const days = this.config.WEBHOOK_EVENTS_RETENTION_DAYS;
    const result = await runBatchedPrune(this.dataSource, {
      lockId: PRUNE_LOCK_ID,
      days,
      stopping: () => this.stopping,
      deleteBatch: async (runner, cutoff) => {
        const { affected } = await runner.query(DELETE_EXPIRED_BATCH_SQL, [WebhookEventStatus.Processed, cutoff, PRUNE_BATCH_SIZE], true);
        const deleted = affected ?? 0;
        this.prunedCounter?.inc(deleted);
        return deleted;
      },
    });
    if (result.skipped === 'disabled') this.logger.debug('Inbox prune skipped: WEBHOOK_EVENTS_RETENTION_DAYS is 0');
    else if (result.skipped === 'locked') this.logger.log('Inbox prune skipped: another worker is pruning');
    else {
      this.logger.log(
        `Inbox prune removed ${result.deleted} processed webhook event(s) older than ${days} day(s) in ${result.batches} batch(es)` +
          (result.interrupted ? '; stopped early for shutdown' : ''),
      );
    }
    return result;
  }

  /** Called by Nest on SIGTERM while the worker drains: the run in flight ends after its current batch. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
