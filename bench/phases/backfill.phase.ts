import path from 'node:path';
import { findFreePort } from '@terra-connections/process';
import { BenchDatabase } from '../infra/bench-database';
import { ChildApp } from '../infra/child-app';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { runLoad } from '../load/load-generator';
import { DeliveryFactory } from '../load/terra-deliveries';
import { BENCH_WEBHOOK_SECRET, ProductSystem } from '../systems/system-under-test';
import { round1, target, type PhaseContext } from './phase-context';

/** Terra's per-user budget (docs/terra-contract.md §11): requested days per rolling hour. */
const TERRA_DAYS_PER_HOUR = 6000;
const SANDBOX_DEV_ID = 'bench-dev-id';
const SANDBOX_KEY = 'bench-sandbox-key';
/** Live webhooks per second sent beside the wave, to see what the wave does to ingest. */
const LIVE_RATE = 50;

export interface BackfillResult {
  users: number;
  provider: string;
  days: number;
  /** Seconds from the connects to every on-connect backfill finished; null when the deadline came first. */
  allFinishedS: number | null;
  byStatus: Record<string, number>;
  dataRequests: number;
  requestsPerSecond: number;
  rateLimited: number;
  /** The most days one user asked for within the run (shorter than an hour), against Terra's 6,000. */
  maxDaysPerUser: number;
  budgetPerUserHour: number;
  rowsStored: number;
  liveBefore: LatencySummary;
  liveDuring: LatencySummary;
}

interface RecordedRequest {
  path: string;
  query: string;
  status: number;
  at: string;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

const days = (query: URLSearchParams) => {
  const start = query.get('start_date');
  const end = query.get('end_date');
  if (!start || !end) return 1;
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1;
};

/**
 * A wave of on-connect backfills against the sandbox: N users connect at once, each backfill asks for the
 * last 30 days of every type the provider offers. Figures: time until every backfill finished, the data
 * requests made (per second, and per user against Terra's budget; 429s), and the ingest latency of live webhooks
 * sent at a fixed rate before and during the wave.
 */
export async function backfillPhase(context: PhaseContext): Promise<BackfillResult> {
  const { users, provider, deadlineMs, liveMs } = context.settings.backfill;
  const db = await BenchDatabase.create('backfill');
  const prefix = newQueuePrefix('backfill');
  const sandboxPort = await findFreePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const apps: ChildApp[] = [];
  try {
    apps.push(
      await ChildApp.start({
        name: 'sandbox',
        entry: 'dist/apps/terra-sandbox/src/main.js',
        env: {
          LOG_LEVEL: 'warn',
          SANDBOX_PORT: String(sandboxPort),
          SANDBOX_DEV_ID,
          SANDBOX_API_KEY: SANDBOX_KEY,
          SANDBOX_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
          SANDBOX_TIME_SCALE: '0.01',
          SANDBOX_LOG_LIMIT: '200000',
        },
        logFile: path.join(context.logDir, 'backfill-sandbox.log'),
        ready: () => answers(`${sandboxUrl}/sandbox/health`),
      }),
    );
    const product = new ProductSystem({
      TERRA_DEV_ID: SANDBOX_DEV_ID,
      TERRA_API_KEY: SANDBOX_KEY,
      TERRA_API_URL: `${sandboxUrl}/v2`,
      BACKFILL_ON_CONNECT_DAYS: '30',
      // No reconnects here to wait for: the wave is timed from the connects, as before the delay existed.
      BACKFILL_ON_CONNECT_DELAY_SECONDS: '0',
      BACKFILL_TICK_MS: '500',
      BACKFILL_REQUESTS_PER_TICK: '200',
      LOG_LEVEL: 'warn',
    });
    const run = target(db, prefix, context, 'backfill');
    const api = await product.startApi(run);
    apps.push(api.app);
    apps.push(await product.startWorker(run, 0));
    await fetch(`${sandboxUrl}/sandbox/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ webhook_url: `${api.origin}/webhooks/terra` }),
    });

    const factory = new DeliveryFactory();
    const live = () => runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next: () => factory.next(), durationMs: liveMs, ratePerSecond: LIVE_RATE });
    const before = await live();

    const started = Date.now();
    const seeded = await fetch(`${sandboxUrl}/sandbox/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider, count: users, reference_id_prefix: 'wave-', webhooks: true }),
    });
    if (!seeded.ok) throw new Error(`seeding ${users} ${provider} users answered ${seeded.status}`);
    const during = await live();

    let allFinishedS: number | null = null;
    let byStatus: Record<string, number> = {};
    while (Date.now() - started < deadlineMs) {
      // The wave's backfills only: an auth among the live webhooks connects a user the sandbox does not know.
      const rows = await db.query<{ status: string; count: string }>(
        `SELECT b.status, count(*)::text AS count FROM backfills b
         JOIN terra_connections c ON c.connection_id = b.connection_id AND c.is_current
         WHERE c.reference_id LIKE 'wave-%' GROUP BY b.status`,
      );
      byStatus = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const finished = (byStatus.completed ?? 0) + (byStatus.failed ?? 0) + (byStatus.stalled ?? 0) + (byStatus.unsupported ?? 0);
      if (finished >= users) {
        allFinishedS = round1((Date.now() - started) / 1000);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const log = (await (await fetch(`${sandboxUrl}/sandbox/requests?limit=10000`)).json()) as { requests: RecordedRequest[] };
    const waveUsers = new Set(
      (await db.query<{ terra_user_id: string }>(`SELECT terra_user_id FROM terra_connections WHERE reference_id LIKE 'wave-%'`)).map((row) => row.terra_user_id),
    );
    const data = log.requests.filter(
      (r) => /^\/v2\/(activity|sleep|body|daily|nutrition|menstruation|athlete)$/.test(r.path) && waveUsers.has(new URLSearchParams(r.query).get('user_id') ?? ''),
    );
    const perUser = new Map<string, number>();
    for (const request of data) {
      if (request.status !== 200) continue;
      const query = new URLSearchParams(request.query);
      const user = query.get('user_id') ?? '';
      perUser.set(user, (perUser.get(user) ?? 0) + days(query));
    }
    const times = data.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const spanS = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : NaN;
    const rows = await db.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM health_data h JOIN terra_connections c ON c.connection_id = h.connection_id AND c.is_current WHERE c.reference_id LIKE 'wave-%'`,
    );
    return {
      users,
      provider,
      days: 30,
      allFinishedS,
      byStatus,
      dataRequests: data.length,
      requestsPerSecond: round1(data.length / spanS),
      rateLimited: data.filter((r) => r.status === 429).length,
      maxDaysPerUser: Math.max(0, ...perUser.values()),
      budgetPerUserHour: TERRA_DAYS_PER_HOUR,
      rowsStored: Number(rows[0].count),
      liveBefore: summarize(before.latenciesMs),
      liveDuring: summarize(during.latenciesMs),
    };
  } finally {
    for (const app of apps.reverse()) await app.stop().catch(() => undefined);
    await purgeQueuePrefix(prefix);
    await db.drop();
  }
}
