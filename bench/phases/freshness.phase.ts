import { performance } from 'node:perf_hooks';
import { FreshnessEvaluator, listStatement, type FreshnessRunResult } from '@terra-connections/connections';
import { createDataSource } from '@terra-connections/persistence';
import { BenchDatabase } from '../infra/bench-database';
import { waitForQuiet } from '../infra/machine-quiet';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { ProductSystem } from '../systems/system-under-test';
import { explainLines, ListingClient, pageEnds, type PageEnds } from './listing-client';
import { round1, target, type PhaseContext } from './phase-context';

export interface FreshnessListingResult {
  rows: number;
  staleRows: number;
  /** GET /v1/connections?freshness=stale, pages from the start, and from a cursor near the end. */
  stale: PageEnds & { all: LatencySummary };
  /** The unfiltered listing on the same database, for comparison. */
  full: PageEnds;
  explain: Record<string, string[]>;
}

export interface FreshnessJobResult {
  connections: number;
  typesPerConnection: number;
  /** The first run (every connection's verdict written: unknown -> fresh or stale) and a steady run (nothing changes). */
  firstRun: FreshnessRunResult & { seconds: number; secondsPer100k: number };
  steadyRun: FreshnessRunResult & { seconds: number; secondsPer100k: number };
}

export interface FreshnessResult {
  listing: FreshnessListingResult;
  job: FreshnessJobResult;
}

/** One connection in this many is stale in the listing database. */
const STALE_EVERY = 100;
const DAY_MS = 86_400_000;

/**
 * The freshness listing at 1,000,000 connections (1 % stale), through the API, beside the full listing on the
 * same rows; then the freshness job on its own database of `job.connections` connections with three types
 * each, its cost stated per 100,000 connections.
 */
export async function freshnessPhase(context: PhaseContext): Promise<FreshnessResult> {
  const listing = await listingRun(context);
  const job = await jobRun(context);
  return { listing, job };
}

async function listingRun(context: PhaseContext): Promise<FreshnessListingResult> {
  const settings = context.settings.freshness;
  const db = await BenchDatabase.create('freshness_listing');
  const prefix = newQueuePrefix('freshness');
  try {
    const insertStart = performance.now();
    await db.query(
      `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, scopes, connected_at, status_changed_at, last_webhook_at,
                                      freshness, last_data_at, stale_since)
       SELECT md5('bench' || i)::uuid::text, 'ref_' || (i % ($1::int / 5)), (ARRAY['GARMIN','FITBIT','OURA','WHOOP','POLAR'])[1 + i % 5], 'active',
              '{activity,sleep}', now() - interval '30 days', now() - interval '30 days', now(),
              CASE WHEN i % ${STALE_EVERY} = 37 THEN 'stale' ELSE 'fresh' END,
              now() - CASE WHEN i % ${STALE_EVERY} = 37 THEN interval '5 days' ELSE interval '3 hours' END,
              CASE WHEN i % ${STALE_EVERY} = 37 THEN now() - interval '2 days' END
       FROM generate_series(1, $1::int) AS i`,
      [settings.rows],
    );
    await db.query('VACUUM ANALYZE terra_connections');
    const staleRows = Math.floor((settings.rows - 37) / STALE_EVERY) + 1;
    context.log(`  ${settings.rows} connections (${staleRows} stale) inserted and analysed in ${round1((performance.now() - insertStart) / 1000)} s`);

    const system = new ProductSystem();
    const api = await system.startApi(target(db, prefix, context, 'freshness'));
    const listing = new ListingClient(api.origin, settings.pageSize);
    try {
      await listing.walk('freshness=stale&', null, 10); // warm the statement and the index
      await waitForQuiet(context.settings.quietWaitMs);
      const [{ max_seq: maxSeq }] = await db.query<{ max_seq: string }>(`SELECT max(connection_seq)::text AS max_seq FROM terra_connections`);
      const pages = settings.pagesPerEnd;
      // Every stale connection, page by page to the end, as an alerting job would read them.
      const everything = await listing.walk('freshness=stale&', null, 1_000_000);
      const stale = pageEnds(everything.slice(0, pages), everything.slice(-pages));
      const full = pageEnds(await listing.walk('', null, pages), await listing.walk('', Number(maxSeq) - pages * settings.pageSize - 1, pages));
      const result: FreshnessListingResult = {
        rows: settings.rows,
        staleRows,
        stale: { all: summarize(everything), ...stale },
        full,
        explain: {
          staleFirstPage: await explainLines(db, listStatement(0, 'stale').text, [settings.pageSize + 1]),
          staleLatePage: await explainLines(db, listStatement(1, 'stale').text, [settings.pageSize + 1, Number(maxSeq) - settings.rows / 20]),
        },
      };
      context.log(
        `  freshness=stale: ${everything.length} pages, p50 ${result.stale.all.p50} ms p99 ${result.stale.all.p99} ms, first ${stale.firstPages.p50} ms / last ${stale.lastPages.p50} ms; ` +
          `full listing first ${full.firstPages.p50} ms / last ${full.lastPages.p50} ms`,
      );
      return result;
    } finally {
      await listing.close();
      await api.app.stop();
    }
  } finally {
    await db.drop();
    await purgeQueuePrefix(prefix);
  }
}

async function jobRun(context: PhaseContext): Promise<FreshnessJobResult> {
  const { jobConnections } = context.settings.freshness;
  const types = ['activity', 'daily', 'sleep'];
  const db = await BenchDatabase.create('freshness_job');
  const dataSource = createDataSource({ url: db.url, poolSize: 2, applicationName: 'terra-bench-freshness' });
  try {
    await db.query(
      `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, connected_at, status_changed_at, last_data_at)
       SELECT md5('job' || i)::uuid::text, 'ref_' || i, (ARRAY['GARMIN','FITBIT','OURA','APPLE','POLAR'])[1 + i % 5], 'active',
              now() - interval '30 days', now() - interval '30 days', now() - CASE WHEN i % 50 = 7 THEN interval '10 days' ELSE interval '3 hours' END
       FROM generate_series(1, $1::int) AS i`,
      [jobConnections],
    );
    // Three types each with 10 daily gaps of history; one connection in 50 silent for 10 days.
    await db.query(
      `INSERT INTO connection_data_freshness (connection_id, type, last_received_at, last_data_time, arrivals, gaps_ms)
       SELECT c.connection_id, t, c.last_data_at, c.last_data_at, 11, array_fill(${DAY_MS}::bigint, ARRAY[10])
       FROM terra_connections c CROSS JOIN unnest($1::text[]) AS t`,
      [types],
    );
    await db.query('VACUUM ANALYZE terra_connections');
    await db.query('VACUUM ANALYZE connection_data_freshness');
    await dataSource.initialize();
    const evaluator = new FreshnessEvaluator(dataSource, {
      FRESHNESS_MIN_WINDOW_MS: 43_200_000,
      FRESHNESS_MAX_WINDOW_MS: 1_209_600_000,
      FRESHNESS_DEFAULT_WINDOW_MS: 259_200_000,
      FRESHNESS_MOBILE_DEFAULT_WINDOW_MS: 432_000_000,
    });
    const timed = async () => {
      await waitForQuiet(context.settings.quietWaitMs);
      const started = performance.now();
      const run = await evaluator.evaluate();
      const seconds = (performance.now() - started) / 1000;
      return { ...run, seconds: round1(seconds * 100) / 100, secondsPer100k: round1((seconds * 100_000) / jobConnections * 100) / 100 };
    };
    const firstRun = await timed();
    const steadyRun = await timed();
    context.log(
      `  freshness job over ${jobConnections} connections x ${types.length} types: first run ${firstRun.seconds} s (${firstRun.stale} stale, ${firstRun.fresh} fresh), ` +
        `steady run ${steadyRun.seconds} s: ${steadyRun.secondsPer100k} s per 100,000 connections`,
    );
    return { connections: jobConnections, typesPerConnection: types.length, firstRun, steadyRun };
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.drop();
  }
}
