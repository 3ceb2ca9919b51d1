import { performance } from 'node:perf_hooks';
import { BenchDatabase } from '../infra/bench-database';
import { waitForQuiet } from '../infra/machine-quiet';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { ResourceWindow } from '../infra/resource-window';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { ProductSystem } from '../systems/system-under-test';
import { explainLines, ListingClient, pageEnds, type PageEnds } from './listing-client';
import { round1, target, type PhaseContext } from './phase-context';
import { listStatement } from '@terra-connections/connections';

export interface ConnectionsResult {
  rows: number;
  insertSeconds: number;
  lookup: LatencySummary & { errors: number; requestsPerSecond: number; apiCpuPercent: number };
  /** The unfiltered listing, keyset by id: pages at the start against pages at the end. */
  fullListing: PageEnds;
  /** One reference with 1 % of all rows, listed to the end page by page. */
  bigReference: PageEnds & { rows: number; pages: number };
  explain: Record<string, string[]>;
}

const BIG_REFERENCE = 'ref_big';

/**
 * 1,000,000 connections (5 per reference id, plus one reference holding 1 % of them), then the API's own
 * GET /v1/connections: lookups by reference_id, and keyset pages early and late in a full listing.
 */
export async function connectionsPhase(context: PhaseContext): Promise<ConnectionsResult> {
  const settings = context.settings.connections;
  const references = Math.floor(settings.rows / 5);
  const db = await BenchDatabase.create('connections');
  const prefix = newQueuePrefix('connections');
  try {
    const insertStart = performance.now();
    await db.query(
      `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, scopes, connected_at, status_changed_at, last_webhook_at)
       SELECT md5('bench' || i)::uuid::text,
              CASE WHEN i % 100 = 0 THEN $2 ELSE 'ref_' || (i % $3::int) END,
              (ARRAY['GARMIN','FITBIT','OURA','WHOOP','POLAR'])[1 + i % 5],
              (ARRAY['active','active','active','error','disconnected'])[1 + (i / 7) % 5],
              '{activity,sleep,heartrate}', now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval, now()
       FROM generate_series(1, $1::int) AS i`,
      [settings.rows, BIG_REFERENCE, references],
    );
    await db.query('VACUUM ANALYZE terra_connections');
    const insertSeconds = round1((performance.now() - insertStart) / 1000);
    context.log(`  ${settings.rows} connections inserted and analysed in ${insertSeconds} s`);

    const system = new ProductSystem();
    const api = await system.startApi(target(db, prefix, context, 'connections'));
    const listing = new ListingClient(api.origin, settings.pageSize);
    try {
      // ref_<k> with k a multiple of 100 holds no rows (those rows went to the big reference).
      const referenceId = () => {
        const k = 1 + Math.floor(Math.random() * (references - 2));
        return `ref_${k % 100 === 0 ? k + 1 : k}`;
      };
      for (let i = 0; i < 300; i += 1) await listing.get(`/v1/connections?reference_id=${referenceId()}`);

      await waitForQuiet(context.settings.quietWaitMs);
      const lookups: number[] = [];
      let errors = 0;
      const window = await ResourceWindow.begin({ api: api.app.pid }, db);
      const end = performance.now() + settings.lookupMs;
      while (performance.now() < end) {
        const res = await listing.get(`/v1/connections?reference_id=${referenceId()}`);
        if (res.status !== 200 || res.body.data.length === 0) errors += 1;
        lookups.push(res.ms);
      }
      const cpu = await window.cpu();

      // The cursor is the connection's listing key (connection_seq; here one row per connection, equal to its id).
      const [{ max_seq: maxSeq }] = await db.query<{ max_seq: string }>(`SELECT max(connection_seq)::text AS max_seq FROM terra_connections`);
      const pages = settings.pagesPerEnd;
      const fullListing = pageEnds(await listing.walk('', null, pages), await listing.walk('', Number(maxSeq) - pages * settings.pageSize - 1, pages));

      // The big reference listed to its end, page by page, as a caller would.
      const bigTimes = await listing.walk(`reference_id=${BIG_REFERENCE}&`, null, 100_000);
      const bigReference = { rows: Math.floor(settings.rows / 100), pages: bigTimes.length, ...pageEnds(bigTimes.slice(0, pages), bigTimes.slice(-pages)) };

      const result: ConnectionsResult = {
        rows: settings.rows,
        insertSeconds,
        lookup: {
          ...summarize(lookups),
          errors,
          requestsPerSecond: round1(lookups.length / (settings.lookupMs / 1000)),
          apiCpuPercent: cpu.cpuPercent.api,
        },
        fullListing,
        bigReference,
        // The product's own listing statements (one row per connection: current rows, keyset on connection_seq).
        explain: {
          byReference: await explainLines(db, listStatement(2).text, [51, referenceId()]),
          lateFullPage: await explainLines(db, listStatement(1).text, [settings.pageSize + 1, Number(maxSeq) - settings.pageSize - 1]),
          lateBigReferencePage: await explainLines(db, listStatement(3).text, [
            settings.pageSize + 1,
            Number(maxSeq) - settings.pageSize * 100,
            BIG_REFERENCE,
          ]),
        },
      };
      context.log(
        `  lookup by reference_id p50 ${result.lookup.p50} ms p99 ${result.lookup.p99} ms (${result.lookup.count} requests); ` +
          `full listing page p50 first ${fullListing.firstPages.p50} ms / last ${fullListing.lastPages.p50} ms; ` +
          `${BIG_REFERENCE} ${bigReference.pages} pages, first ${bigReference.firstPages.p50} ms / last ${bigReference.lastPages.p50} ms`,
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
