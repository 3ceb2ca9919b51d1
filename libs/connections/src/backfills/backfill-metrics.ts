import { Injectable } from '@nestjs/common';
import { MetricsService } from '@terra-connections/observability';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { BACKFILL_STATUSES } from './backfill.model';

/** Backfill figures of a worker: requested days, 429s, budget waits; backfills by status at scrape time. */
@Injectable()
export class BackfillMetrics {
  readonly requestedDays: Counter<'type'>;
  readonly rateLimited: Counter<'rule'>;
  readonly budgetWaits: Counter;

  constructor(metrics: MetricsService, dataSource: DataSource) {
    const existing = <T>(name: string) => metrics.registry.getSingleMetric(name) as T | undefined;
    this.requestedDays =
      existing('terra_backfill_requested_days_total') ??
      new Counter({ name: 'terra_backfill_requested_days_total', help: 'Days asked from Terra by backfill data requests, by data type', labelNames: ['type'], registers: [metrics.registry] });
    this.rateLimited =
      existing('terra_backfill_rate_limited_total') ??
      new Counter({ name: 'terra_backfill_rate_limited_total', help: "Backfill data requests Terra answered with 429, by X-Terra-RateLimit-Rule", labelNames: ['rule'], registers: [metrics.registry] });
    this.budgetWaits =
      existing('terra_backfill_budget_waits_total') ??
      new Counter({ name: 'terra_backfill_budget_waits_total', help: "Backfill requests held back because the user's day budget for the hour was spent", registers: [metrics.registry] });
    metrics.registerCollector('terra_backfills', 'Backfills by status', ['status'], async (gauge) => {
      const rows: { status: string; count: string }[] = await dataSource.query(`SELECT status, count(*)::text AS count FROM backfills GROUP BY status`);
      gauge.reset();
      for (const status of BACKFILL_STATUSES) gauge.set({ status }, Number(rows.find((row) => row.status === status)?.count ?? 0));
    });
  }
}
