import type { DataSource } from 'typeorm';
import type { MetricsService } from './metrics.service';
import { ScrapeCache } from './scrape-cache';
import { withDeadline } from './with-deadline';

/** A GROUP BY over terra_connections is a full scan: at most one per this period, whatever the scrape rate. */
export const CONNECTION_METRICS_TTL_MS = 15_000;
const READ_TIMEOUT_MS = 5_000;

interface Row {
  provider: string;
  status: string;
  n: number;
}

/** terra_connections{provider,status}: connection counts, read at scrape time and cached for 15 s. */
export function registerConnectionMetrics(metrics: MetricsService, dataSource: DataSource, ttlMs = CONNECTION_METRICS_TTL_MS): void {
  const counts = new ScrapeCache<Row[]>(ttlMs, () =>
    withDeadline(
      dataSource.query(`SELECT provider, status, count(*)::int AS n FROM terra_connections GROUP BY provider, status`),
      READ_TIMEOUT_MS,
      'Postgres',
    ),
  );
  metrics.registerCollector('terra_connections', 'Connections by provider and status (refreshed at most every 15 s)', ['provider', 'status'], async (gauge) => {
    const rows = await counts.get();
    gauge.reset();
    for (const row of rows) gauge.set({ provider: row.provider, status: row.status }, row.n);
  });
}
