import { Counter } from 'prom-client';
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

interface StaleRow {
  provider: string;
  n: number;
  oldest_silence_s: number | null;
}

/**
 * Connection health at scrape time, cached like the counts above: stale connections by provider and the age of
 * the oldest silence among them (both read from the partial index of stale rows: cheap however many connections
 * there are), and drift_corrections_total{kind}, the corrections reconciliation recorded (a count of the drift
 * table, so every process reports the same number and a restart does not reset it).
 */
export function registerConnectionHealthMetrics(metrics: MetricsService, dataSource: DataSource, ttlMs = CONNECTION_METRICS_TTL_MS): void {
  const read = <T>(sql: string) => () => withDeadline(dataSource.query<T>(sql), READ_TIMEOUT_MS, 'Postgres');
  const stale = new ScrapeCache<StaleRow[]>(
    ttlMs,
    read(`SELECT provider, count(*)::int AS n, extract(epoch FROM now() - min(COALESCE(last_data_at, stale_since)))::float8 AS oldest_silence_s
          FROM terra_connections WHERE is_current AND freshness = 'stale' GROUP BY provider`),
  );
  metrics.registerCollector('terra_connections_stale', 'Stale connections (every expected data type silent past its window) by provider', ['provider'], async (gauge) => {
    const rows = await stale.get();
    gauge.reset();
    for (const row of rows) gauge.set({ provider: row.provider }, row.n);
  });
  metrics.registerCollector(
    'terra_connections_oldest_silence_seconds',
    'Seconds since the last data of the stale connection that has been silent longest (0: none stale)',
    [],
    async (gauge) => {
      const rows = await stale.get();
      gauge.reset();
      gauge.set(Math.max(0, ...rows.map((row) => row.oldest_silence_s ?? 0)));
    },
  );
  const drift = new ScrapeCache<{ kind: string; n: number }[]>(ttlMs, read(`SELECT kind, count(*)::int AS n FROM connection_drift GROUP BY kind`));
  if (!metrics.registry.getSingleMetric('drift_corrections_total')) {
    const errors = metrics.collectErrors;
    new Counter({
      name: 'drift_corrections_total',
      help: 'Corrections reconciliation made because a Terra webhook was missed or disagreed, by kind (GET /v1/admin/drift lists them)',
      labelNames: ['kind'],
      registers: [metrics.registry],
      async collect() {
        try {
          const rows = await drift.get();
          this.reset();
          for (const row of rows) this.inc({ kind: row.kind }, row.n);
        } catch {
          this.reset();
          errors.inc({ collector: 'drift_corrections_total' });
        }
      },
    });
  }
}
