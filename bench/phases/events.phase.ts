import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { BenchDatabase } from '../infra/bench-database';
import { waitForQuiet } from '../infra/machine-quiet';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { ProductSystem } from '../systems/system-under-test';
import { round1, target, type PhaseContext } from './phase-context';

const ADMIN_KEY = 'bench-admin-key';
/** Signatures checked with the standardwebhooks library per endpoint (all of them would make the receiver the bottleneck). */
const VERIFIED_PER_ENDPOINT = 50;

export interface EventsThroughput {
  endpoints: number;
  events: number;
  /** Events delivered to every endpoint per second, from the commit of the batch to the last arrival. */
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  /** Arrivals beyond one per (endpoint, event): at-least-once retries. 0 expected with a receiver that always answers 200. */
  duplicates: number;
  missing: number;
}

export interface EventsResult {
  throughput: EventsThroughput[];
  lag: { ratePerSecond: number; events: number; summary: LatencySummary; missing: number };
  dispatchIntervalMs: number;
  verified: number;
  badSignatures: number;
}

/** A loopback receiver: 200 at once, the first arrival of each (path, webhook-id), a sample of signatures checked. */
class Receiver {
  readonly arrivals = new Map<string, number>();
  duplicates = 0;
  verified = 0;
  badSignatures = 0;
  private readonly secrets = new Map<string, Webhook>();
  private readonly checked = new Map<string, number>();
  private server!: http.Server;
  origin = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const now = performance.now();
        const path = request.url ?? '/';
        const key = `${path} ${String(request.headers['webhook-id'])}`;
        if (this.arrivals.has(key)) this.duplicates += 1;
        else this.arrivals.set(key, now);
        const verifier = this.secrets.get(path);
        if (verifier && (this.checked.get(path) ?? 0) < VERIFIED_PER_ENDPOINT) {
          this.checked.set(path, (this.checked.get(path) ?? 0) + 1);
          try {
            verifier.verify(Buffer.concat(chunks).toString('utf8'), request.headers as Record<string, string>);
            this.verified += 1;
          } catch {
            this.badSignatures += 1;
          }
        }
        response.end();
      });
    });
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  expect(path: string, secret: string): void {
    this.secrets.set(path, new Webhook(secret));
  }

  count(path: string): number {
    let n = 0;
    for (const key of this.arrivals.keys()) if (key.startsWith(`${path} `)) n += 1;
    return n;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function admin(origin: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** A batch of events committed at once, then the time until every endpoint has each. */
async function throughputRun(db: BenchDatabase, receiver: Receiver, paths: string[], events: number, run: number): Promise<EventsThroughput> {
  const before = paths.map((path) => receiver.count(path));
  const committedAt = performance.now();
  await db.query(
    `INSERT INTO events (type, occurred_at, connection_id, terra_user_id, reference_id, provider, data)
     SELECT 'connection.connected', now(), gen_random_uuid(), 'bench-' || n, 'bench-run-${run}', 'GARMIN', '{"previous_status":null}'::jsonb
     FROM generate_series(1, $1) AS n`,
    [events],
  );
  const all = () => paths.every((path, index) => receiver.count(path) - before[index] >= events);
  await waitUntil(all, 120_000);
  const lastArrival = Math.max(...[...receiver.arrivals.values()]);
  const seconds = (lastArrival - committedAt) / 1000;
  const delivered = paths.reduce((sum, path, index) => sum + receiver.count(path) - before[index], 0);
  return {
    endpoints: paths.length,
    events,
    eventsPerSecond: round1(events / seconds),
    deliveriesPerSecond: round1(delivered / seconds),
    duplicates: receiver.duplicates,
    missing: events * paths.length - delivered,
  };
}

/** One event per transaction at a fixed rate; lag = receiver arrival - the insert's commit acknowledged. */
async function lagRun(db: BenchDatabase, receiver: Receiver, path: string, rate: number, durationMs: number) {
  const committed = new Map<string, number>();
  const started = performance.now();
  for (let n = 0; performance.now() - started < durationMs; n += 1) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const [{ event_id }] = await db.query<{ event_id: string }>(
      `INSERT INTO events (type, occurred_at, connection_id, terra_user_id, reference_id, provider, data)
       VALUES ('data.received', now(), gen_random_uuid(), 'bench-lag', 'bench-lag', 'GARMIN', '{"data_type":"daily","count":1}') RETURNING event_id`,
    );
    committed.set(event_id, performance.now());
  }
  await waitUntil(() => [...committed.keys()].every((id) => receiver.arrivals.has(`${path} ${id}`)), 60_000);
  const lags: number[] = [];
  for (const [id, at] of committed) {
    const arrived = receiver.arrivals.get(`${path} ${id}`);
    if (arrived !== undefined) lags.push(arrived - at);
  }
  return { ratePerSecond: rate, events: committed.size, summary: summarize(lags), missing: committed.size - lags.length };
}

/**
 * Outbound events (issue 13): the product's API and one worker, a loopback receiver, endpoints registered
 * through the admin API. Deliveries per second with 1 and 3 endpoints, then commit-to-receiver lag at half
 * the one-endpoint rate. Events are inserted into the outbox directly, so the figures are the delivery
 * path's own (the worker's outbox insert is measured by the end-to-end phase).
 */
export async function eventsPhase(context: PhaseContext): Promise<EventsResult> {
  const settings = context.settings.events;
  const system = new ProductSystem({ EVENT_ENDPOINTS_ALLOW_PRIVATE: 'true' });
  const db = await BenchDatabase.create('events');
  const prefix = newQueuePrefix('events');
  const receiver = await new Receiver().start();
  const apps = [];
  try {
    const runTarget = target(db, prefix, context, 'events');
    const api = await system.startApi(runTarget);
    apps.push(api.app);
    apps.push(await system.startWorker(runTarget, 0));
    await waitForQuiet(context.settings.quietWaitMs);

    const throughput: EventsThroughput[] = [];
    const ids: string[] = [];
    for (const endpoints of [1, 3]) {
      for (const id of ids.splice(0)) await admin(api.origin, 'DELETE', `/v1/webhook-endpoints/${id}`);
      const paths: string[] = [];
      for (let index = 0; index < endpoints; index += 1) {
        const path = `/e${endpoints}-${index}`;
        const created = await admin(api.origin, 'POST', '/v1/webhook-endpoints', { url: `${receiver.origin}${path}`, event_types: ['connection.connected'] });
        receiver.expect(path, String(created.secret));
        ids.push(String(created.id));
        paths.push(path);
      }
      const figures = await throughputRun(db, receiver, paths, settings.events, endpoints);
      context.log(`  events: ${endpoints} endpoint(s): ${figures.eventsPerSecond} events/s, ${figures.deliveriesPerSecond} deliveries/s, ${figures.missing} missing`);
      throughput.push(figures);
    }
    for (const id of ids.splice(0)) await admin(api.origin, 'DELETE', `/v1/webhook-endpoints/${id}`);
    const lagPath = '/lag';
    const created = await admin(api.origin, 'POST', '/v1/webhook-endpoints', { url: `${receiver.origin}${lagPath}`, event_types: ['data.received'] });
    receiver.expect(lagPath, String(created.secret));
    const rate = Math.max(5, Math.min(settings.maxLagRate, Math.round(throughput[0].eventsPerSecond / 2)));
    const lag = await lagRun(db, receiver, lagPath, rate, settings.lagMs);
    context.log(`  events: lag at ${rate}/s: p50 ${lag.summary.p50} ms, p99 ${lag.summary.p99} ms, ${lag.missing} missing`);
    return { throughput, lag, dispatchIntervalMs: 500, verified: receiver.verified, badSignatures: receiver.badSignatures };
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await receiver.close();
    await db.drop();
    await purgeQueuePrefix(prefix);
  }
}
