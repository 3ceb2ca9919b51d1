import { storeDelivery } from './testing/store-delivery';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@terra-connections/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import {
  ConnectionLifecycle,
  ConnectionsService,
  EventFeedQuery,
  FRESHNESS_LOCK_ID,
  FreshnessEvaluator,
  settledEventHorizon,
  toEventEnvelope,
} from '@terra-connections/connections';
import { type TerraGateway } from '@terra-connections/terra';
import { createTestDatabase, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { createWebhookEventHandlers } from '../webhook-apply.providers';
import { WebhookEventApplier } from './webhook-event-applier';

/**
 * Freshness over the real applier and the real job, on real Postgres, with time scaled down: a "day" is one
 * second and the windows are a few seconds. Each delivery's received_at is set before it is applied, and the
 * job is run at chosen moments, so the outcome never depends on how fast this machine is.
 */
const DAY = 1_000;
const config = loadConfig(
  testEnv({
    FRESHNESS_MIN_WINDOW_MS: String(DAY / 2),
    FRESHNESS_MAX_WINDOW_MS: String(20 * DAY),
    FRESHNESS_DEFAULT_WINDOW_MS: String(3 * DAY),
    FRESHNESS_MOBILE_DEFAULT_WINDOW_MS: String(5 * DAY),
  }),
);
let t0 = Date.parse('2026-11-02T08:00:00Z');
const day = (n: number) => new Date(t0 + n * DAY);

describe('Connection freshness (real Postgres, scaled time)', () => {
  let db: TestDatabase;
  let writer: InboxWriter;
  let applier: WebhookEventApplier;
  let evaluator: FreshnessEvaluator;
  let connections: ConnectionsService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('freshness');
    writer = new InboxWriter(db.dataSource);
    applier = new WebhookEventApplier(db.dataSource, createWebhookEventHandlers());
    evaluator = new FreshnessEvaluator(db.dataSource, config);
    connections = new ConnectionsService(db.dataSource, {} as TerraGateway, new ConnectionLifecycle(db.dataSource), config);
  });

  afterAll(async () => {
    await db.drop();
  });

  const user = (userId: string, provider: string) => ({ user_id: userId, provider, reference_id: `ref-${userId}`, scopes: null, active: true });

  /** Stores a delivery as if Terra's webhook reached us at `receivedAt`, then applies it. */
  async function deliver(payload: Record<string, unknown>, receivedAt: Date): Promise<void> {
    const id = await storeDelivery(writer, payload, { orderingTimestampMs: receivedAt.getTime() });
    await db.dataSource.query(`UPDATE webhook_events SET received_at = $2 WHERE id = $1`, [id, receivedAt]);
    await applier.apply(id, { attempt: 1, maxAttempts: 16 });
  }

  const connect = (userId: string, provider: string, at: Date) => deliver({ type: 'auth', status: 'success', user: user(userId, provider) }, at);
  const activity = (userId: string, provider: string, at: Date, type = 'activity') =>
    deliver(
      {
        type,
        user: user(userId, provider),
        version: '2022-03-16',
        data: [{ metadata: { summary_id: randomUUID(), start_time: at.toISOString(), end_time: at.toISOString() } }],
      },
      at,
    );

  const freshness = async (userId: string) =>
    (await db.dataSource.query(`SELECT freshness, last_data_at, stale_since FROM terra_connections WHERE terra_user_id = $1`, [userId]))[0];
  const eventsOf = async (userId: string): Promise<Record<string, unknown>[]> =>
    (
      await db.dataSource.query(
        `SELECT type, data FROM events WHERE terra_user_id = $1 AND type IN ('connection.stale', 'connection.fresh') ORDER BY sequence`,
        [userId],
      )
    ).map((row: { type: string; data: Record<string, unknown> }) => ({ type: row.type, ...row.data }));

  /** A user that synced every "day" for a week (7 gaps: the window is learned). */
  async function regularUser(provider = 'FITBIT'): Promise<string> {
    const id = randomUUID();
    await connect(id, provider, day(0));
    for (let n = 0; n <= 7; n += 1) await activity(id, provider, day(n));
    return id;
  }

  it('a silenced user: fresh within its learned window, exactly one connection.stale past it, fresh again on the next data', async () => {
    const id = await regularUser();
    await evaluator.evaluate(day(7.5));
    expect((await freshness(id)).freshness).toBe('fresh');

    const [detail] = (await connections.detail(id)).freshnessTypes;
    // Daily gaps: 3 x the median gap.
    expect(detail).toMatchObject({ type: 'activity', learned: true, expected: true, windowMs: String(3 * DAY) });

    await evaluator.evaluate(day(7 + 2.9));
    expect((await freshness(id)).freshness).toBe('fresh');
    await evaluator.evaluate(day(7 + 3.1));
    await evaluator.evaluate(day(7 + 4));
    await evaluator.evaluate(day(7 + 9));
    expect(await freshness(id)).toMatchObject({ freshness: 'stale', stale_since: day(7 + 3.1) });
    const stale = await eventsOf(id);
    expect(stale).toEqual([
      {
        type: 'connection.stale',
        previous_freshness: 'fresh',
        last_data_at: day(7).toISOString(),
        overdue_types: [{ type: 'activity', last_received_at: expect.any(String), window_ms: 3 * DAY }],
      },
    ]);
    const listed = await connections.list({ freshness: 'stale', limit: 200 });
    expect(listed.items.map((item) => item.terraUserId)).toContain(id);

    await activity(id, 'FITBIT', day(7 + 10));
    expect((await freshness(id)).freshness).toBe('fresh');
    await evaluator.evaluate(day(7 + 10.1));
    expect((await eventsOf(id)).map((event) => event.type)).toEqual(['connection.stale', 'connection.fresh']);
    expect((await eventsOf(id))[1]).toMatchObject({ stale_since: day(7 + 3.1).toISOString(), data_type: 'activity' });
    expect((await connections.list({ freshness: 'stale', limit: 200 })).items.map((item) => item.terraUserId)).not.toContain(id);

    // What the feed and every delivery carry is what docs/openapi.json promises for these two types.
    const feed = new EventFeedQuery(db.dataSource);
    await waitFor(
      async () =>
        BigInt((await settledEventHorizon(db.dataSource, { waitMs: 0 })) ?? '0') >=
        BigInt((await db.dataSource.query(`SELECT COALESCE(max(id), 0)::text AS id FROM events`))[0].id),
      { describe: 'the feed to show every committed event' },
    );
    const [{ connection_id: connectionId }] = await db.dataSource.query(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [id]);
    const page = await feed.page({ connectionId, types: ['connection.stale', 'connection.fresh'] }, { limit: 10 });
    const envelopes = page.items.map(toEventEnvelope);
    expect(envelopes.map((event) => event.type)).toEqual(['connection.stale', 'connection.fresh']);
    const document = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const event of envelopes) {
      const ref: string = document.webhooks[event.type].post.requestBody.content['application/json'].schema.$ref;
      const validate = ajv.compile(document.components.schemas[ref.split('/').pop() as string]);
      expect({ type: event.type, valid: validate(JSON.parse(JSON.stringify(event))), errors: validate.errors ?? null }).toEqual({
        type: event.type,
        valid: true,
        errors: null,
      });
    }
  });

  it('a weekend gap inside the learned window does not alarm', async () => {
    const id = randomUUID();
    await connect(id, 'GARMIN', day(0));
    // Workouts Monday to Friday for two weeks, none at the weekends.
    // The first weekend: too little history, the default window (3 days) covers it.
    for (const n of [0, 1, 2, 3, 4]) await activity(id, 'GARMIN', day(n));
    for (const n of [5, 6, 6.9]) await evaluator.evaluate(day(n));
    expect((await freshness(id)).freshness).toBe('fresh');
    // The second: learned (3 x the median gap of a day).
    for (const n of [7, 8, 9, 10, 11]) await activity(id, 'GARMIN', day(n));
    expect((await connections.detail(id)).freshnessTypes[0]).toMatchObject({ learned: true, windowMs: String(3 * DAY) });
    for (const n of [11.5, 12, 13, 13.9]) await evaluator.evaluate(day(n));
    expect((await freshness(id)).freshness).toBe('fresh');
    await activity(id, 'GARMIN', day(14));
    await evaluator.evaluate(day(14.2));
    expect(await eventsOf(id)).toEqual([]);
  });

  it('a mobile-SDK source gets the longer default window until it has history; a new connection is unknown', async () => {
    const phone = randomUUID();
    await connect(phone, 'APPLE', day(0));
    await evaluator.evaluate(day(0.1));
    expect((await freshness(phone)).freshness).toBe('unknown');
    await activity(phone, 'APPLE', day(0));
    await activity(phone, 'APPLE', day(1));
    await evaluator.evaluate(day(1 + 4.5));
    expect((await freshness(phone)).freshness).toBe('fresh');
    expect((await connections.detail(phone)).freshnessTypes[0]).toMatchObject({ learned: false, windowMs: String(5 * DAY) });
    await evaluator.evaluate(day(1 + 5.5));
    expect((await freshness(phone)).freshness).toBe('stale');

    const cloud = randomUUID();
    await connect(cloud, 'OURA', day(0));
    await activity(cloud, 'OURA', day(0), 'sleep');
    await activity(cloud, 'OURA', day(1), 'sleep');
    expect((await connections.detail(cloud)).freshnessTypes[0]).toMatchObject({ type: 'sleep', learned: false, windowMs: String(3 * DAY) });
  });

  it('one type going quiet while others keep coming shows on the type, not the connection; an ended connection is unknown', async () => {
    // The detail judges at the real now: day 12.5 of this story is now.
    t0 = Date.now() - 12.5 * DAY;
    const id = await regularUser();
    await activity(id, 'FITBIT', day(6), 'sleep');
    await activity(id, 'FITBIT', day(7), 'sleep');
    for (let n = 8; n <= 12; n += 1) await activity(id, 'FITBIT', day(n));
    await evaluator.evaluate(day(12.5));
    expect((await freshness(id)).freshness).toBe('fresh');
    const types = (await connections.detail(id)).freshnessTypes;
    expect(types.map((type) => [type.type, type.overdue])).toEqual([
      ['activity', false],
      ['sleep', true],
    ]);

    await deliver({ type: 'deauth', status: 'success', user: user(id, 'FITBIT') }, day(13));
    await evaluator.evaluate(day(30));
    expect((await freshness(id)).freshness).toBe('unknown');
    expect(await eventsOf(id)).toEqual([]);
  });

  it('a stale connection that ends is unknown at once, and leaves the stale listing without waiting for the job', async () => {
    t0 = Date.parse('2026-09-01T08:00:00Z');
    const id = await regularUser();
    await evaluator.evaluate(day(20));
    expect((await freshness(id)).freshness).toBe('stale');
    await deliver({ type: 'deauth', status: 'success', user: user(id, 'FITBIT') }, day(21));
    expect(await freshness(id)).toMatchObject({ freshness: 'unknown', stale_since: null });
    expect((await connections.list({ freshness: 'stale', limit: 200 })).items.map((item) => item.terraUserId)).not.toContain(id);
    expect((await eventsOf(id)).map((event) => event.type)).toEqual(['connection.stale']);
  });

  it('walks every connection batch by batch, and leaves one whose Terra user lock is held to the next run', async () => {
    t0 = Date.parse('2026-10-01T08:00:00Z');
    const ids = [await regularUser(), await regularUser(), await regularUser()];
    const busy = ids[1];
    await evaluator.evaluate(day(7.5), 2);
    expect(await Promise.all(ids.map(async (id) => (await freshness(id)).freshness))).toEqual(['fresh', 'fresh', 'fresh']);
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // A data event of that user being applied right now holds its lock.
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [busy]);
      await evaluator.evaluate(day(30), 2);
      expect(await Promise.all(ids.map(async (id) => (await freshness(id)).freshness))).toEqual(['stale', 'fresh', 'stale']);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    await evaluator.evaluate(day(30), 2);
    for (const id of ids) expect((await eventsOf(id)).map((event) => event.type)).toEqual(['connection.stale']);
  });

  it('one run at a time across workers, and none once the worker is shutting down', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock($1)`, [FRESHNESS_LOCK_ID]);
      expect(await evaluator.evaluate(day(40))).toEqual({ scanned: 0, stale: 0, fresh: 0, unknown: 0, skipped: true });
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [FRESHNESS_LOCK_ID]);
      await runner.release();
    }
    const stopping = new FreshnessEvaluator(db.dataSource, config);
    stopping.beforeApplicationShutdown();
    expect(await stopping.evaluate(day(40))).toEqual({ scanned: 0, stale: 0, fresh: 0, unknown: 0, interrupted: true });
    expect((await evaluator.evaluate(day(40))).scanned).toBeGreaterThan(0);
  });

  it('a reauth that joins two connections keeps both connections\' history under the one that stays', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await connect(a, 'OURA', day(0));
    for (const n of [0, 1, 2]) await activity(a, 'OURA', day(n));
    // The new id's auth and data before the user_reauth: for a moment, a connection of its own.
    await connect(b, 'OURA', day(3));
    await activity(b, 'OURA', day(3), 'sleep');
    await deliver(
      { type: 'user_reauth', status: 'warning', message: 'x', old_user: user(a, 'OURA'), new_user: user(b, 'OURA') },
      day(3.1),
    );
    const [{ connection_id: connectionId }] = await db.dataSource.query(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [a]);
    const rows = await db.dataSource.query(
      `SELECT connection_id, type, arrivals FROM connection_data_freshness WHERE connection_id IN (SELECT connection_id FROM terra_connections WHERE terra_user_id = ANY($1))
         OR connection_id = tc_connection_uuid($2) ORDER BY type`,
      [[a, b], b],
    );
    expect(rows).toEqual([
      { connection_id: connectionId, type: 'activity', arrivals: 3 },
      { connection_id: connectionId, type: 'sleep', arrivals: 1 },
    ]);
  });
});
