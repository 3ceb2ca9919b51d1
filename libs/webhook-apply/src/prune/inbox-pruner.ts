import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MetricsService } from '@terra-connections/observability';
import { WebhookEventStatus } from '@terra-connections/persistence';
import { DataSource, type QueryRunner } from 'typeorm';

/** Rows per DELETE: each batch is its own short statement, so a large backlog never holds one long transaction. */
export const PRUNE_BATCH_SIZE = 5_000;
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

export interface PruneResult {
  /** Inbox rows deleted by this run. */
  deleted: number;
  /** DELETE statements run; the last one deleted less than a full batch, unless the run stopped early. */
  batches: number;
  /** Why nothing was looked at: retention is 0, or another worker holds the prune lock. */
  skipped?: 'disabled' | 'locked';
  /** The run stopped between batches because the worker is shutting down; the next run carries on. */
  interrupted?: boolean;
}

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
    if (days <= 0) {
      this.logger.debug('Inbox prune skipped: WEBHOOK_EVENTS_RETENTION_DAYS is 0');
      return { deleted: 0, batches: 0, skipped: 'disabled' };
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [PRUNE_LOCK_ID]);
      if (!locked) {
        this.logger.log('Inbox prune skipped: another worker is pruning');
        return { deleted: 0, batches: 0, skipped: 'locked' };
      }
      try {
        const result = await this.deleteExpired(runner, days);
        this.logger.log(
          `Inbox prune removed ${result.deleted} processed webhook event(s) older than ${days} day(s) in ${result.batches} batch(es)` +
            (result.interrupted ? '; stopped early for shutdown' : ''),
        );
        return result;
      } finally {
        // A failed unlock means the connection is gone, and the lock went with it.
        await runner.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK_ID]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  /** Called by Nest on SIGTERM while the worker drains: the run in flight ends after its current batch. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  private async deleteExpired(runner: QueryRunner, days: number): Promise<PruneResult> {
    // One cutoff for the whole run, from Postgres' clock: the loop ends even while rows keep ageing.
    const [{ cutoff }]: { cutoff: Date }[] = await runner.query(`SELECT now() - make_interval(days => $1) AS cutoff`, [days]);
    const result: PruneResult = { deleted: 0, batches: 0 };
    for (;;) {
      if (this.stopping) return { ...result, interrupted: true };
      const { affected } = await runner.query(
        DELETE_EXPIRED_BATCH_SQL,
        [WebhookEventStatus.Processed, cutoff, PRUNE_BATCH_SIZE],
        true,
      );
      const deleted = affected ?? 0;
      result.batches += 1;
      result.deleted += deleted;
      this.prunedCounter?.inc(deleted);
      if (deleted < PRUNE_BATCH_SIZE) return result;
    }
  }
}
