import { storeDelivery } from './testing/store-delivery';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { addDays, BackfillScheduler, todayUtc, type BackfillSchedulerConfig, type ProvidersService } from '@terra-connections/connections';
import { WebhookEventApplier } from './webhook-event-applier';
import { createWebhookEventHandlers } from '../webhook-apply.providers';

type Json = Record<string, unknown>;

interface BackfillRow {
  id: string;
  connection_id: string;
  terra_user_id: string;
  start_date: string | null;
  end_date: string | null;
  message: string | null;
  requests: number;
}

const OURA = { provider: 'OURA', name: 'Oura', icon: null, setup: 'oauth', enabled: true, types: { daily: true, sleep: true } };
/** The catalogue is Terra's answer; this suite is about our tables, so it is given, not fetched. */
const providers = { catalogue: async () => ({ providers: [OURA], fetchedAt: new Date(), stale: false }) } as unknown as ProvidersService;

const schedulerConfig = (delaySeconds: number): BackfillSchedulerConfig => ({
  BACKFILL_ON_CONNECT_DAYS: 30,
  BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER: {},
  BACKFILL_ON_CONNECT_DELAY_SECONDS: delaySeconds,
  BACKFILL_MAX_DAYS_PER_REQUEST: 365,
  BACKFILL_REQUESTS_PER_TICK: 100,
  BACKFILL_STALL_SECONDS: 900,
  BACKFILL_MAX_REREQUESTS: 2,
});

/**
 * A reconnect's on-connect backfill asks only for the gap since the connection's last stored data, whichever of
 * Terra's two webhooks (the new id's `auth`, the `user_reauth`) is applied first and whenever the scheduler
 * ticks between them: the real applier and the real scheduler on real Postgres.
 */
describe('on-connect backfill of a reconnect (real Postgres)', () => {
  let db: TestDatabase;
  let writer: InboxWriter;
  let applier: WebhookEventApplier;
  let at = Date.now();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('backfill_reconnect');
    writer = new InboxWriter(db.dataSource);
    applier = new WebhookEventApplier(db.dataSource, createWebhookEventHandlers());
  });
  afterAll(async () => {
    await db.drop();
  });

  const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> => db.dataSource.query(sql, params);
  const scheduler = (delaySeconds = 0) => new BackfillScheduler(db.dataSource, providers, schedulerConfig(delaySeconds));

  async function deliver(payload: Json): Promise<void> {
    at += 1000;
    const id = await storeDelivery(writer, payload, { orderingTimestampMs: at });
    expect(await applier.apply(id, { attempt: 1, maxAttempts: 16 })).toBe('applied');
  }
  const user = (userId: string, referenceId: string) => ({ user_id: userId, provider: 'OURA', reference_id: referenceId, scopes: 'daily', active: true });
  const auth = (userId: string, referenceId: string) => ({ type: 'auth', status: 'success', user: user(userId, referenceId), reference_id: referenceId });
  const reauth = (oldId: string, newId: string, referenceId: string) => ({
    type: 'user_reauth',
    status: 'warning',
    message: 'User has reauthenticated and old ID has been deleted',
    old_user: user(oldId, referenceId),
    new_user: user(newId, referenceId),
  });
  const daily = (userId: string, referenceId: string, days: string[]) => ({
    type: 'daily',
    user: user(userId, referenceId),
    data: days.map((day) => ({ metadata: { start_time: `${day}T00:00:00+00:00`, end_time: `${day}T23:59:59+00:00` }, distance_data: { steps: 1 } })),
  });

  const connectionOf = async (userId: string) =>
    (await query<{ connection_id: string }>(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [userId]))[0].connection_id;
  const backfillsOf = (connectionId: string) =>
    query<BackfillRow>(
      `SELECT b.id, b.connection_id, b.terra_user_id, b.start_date::text, b.end_date::text, b.message,
              (SELECT count(*)::int FROM backfill_requests r WHERE r.backfill_id = b.id) AS requests
       FROM backfills b WHERE b.connection_id = $1 AND b.trigger = 'connect' ORDER BY b.created_at, b.id`,
      [connectionId],
    );

  /** A connected for a while: its own on-connect backfill planned, and data stored up to `lastDay`. */
  async function connectedWithData(lastDay: string): Promise<{ a: string; referenceId: string; connectionId: string; firstBackfill: string }> {
    const a = randomUUID();
    const referenceId = `person-${a}`;
    await deliver(auth(a, referenceId));
    await scheduler().tick();
    await deliver(daily(a, referenceId, [addDays(lastDay, -2), addDays(lastDay, -1), lastDay]));
    const connectionId = await connectionOf(a);
    const [first] = await backfillsOf(connectionId);
    expect(first.start_date).toBe(addDays(todayUtc(), -29));
    return { a, referenceId, connectionId, firstBackfill: first.id };
  }

  it("the new id's auth first and a tick before the user_reauth: the backfill planned for its own connection joins the old one and is planned again for the gap", async () => {
    const lastDay = addDays(todayUtc(), -3);
    const { a, referenceId, connectionId, firstBackfill } = await connectedWithData(lastDay);
    const b = randomUUID();
    await deliver(auth(b, referenceId));
    const ownConnection = await connectionOf(b);
    expect(ownConnection).not.toBe(connectionId);
    await scheduler().tick();
    const [planned] = await backfillsOf(ownConnection);
    // Planned for a connection with no history: the whole window.
    expect(planned).toMatchObject({ terra_user_id: b, start_date: addDays(todayUtc(), -29), message: null, requests: 2 });

    await deliver(reauth(a, b, referenceId));
    expect(await connectionOf(b)).toBe(connectionId);
    expect(await backfillsOf(ownConnection)).toEqual([]);
    const joined = await backfillsOf(connectionId);
    expect(joined.map((row) => row.id)).toEqual([firstBackfill, planned.id]);
    expect(joined[1]).toMatchObject({ start_date: null, end_date: null, requests: 0 });

    await scheduler().tick();
    const [, gap] = await backfillsOf(connectionId);
    expect(gap).toMatchObject({ id: planned.id, terra_user_id: b, start_date: lastDay, end_date: todayUtc(), requests: 2 });
    expect(gap.message).toContain(`gap since the last stored data (${lastDay})`);
  });

  it('one that already made a call keeps its range and is listed under the joined connection', async () => {
    const { a, referenceId, connectionId } = await connectedWithData(addDays(todayUtc(), -3));
    const b = randomUUID();
    await deliver(auth(b, referenceId));
    const ownConnection = await connectionOf(b);
    await scheduler().tick();
    const [planned] = await backfillsOf(ownConnection);
    // The requester's reservation of one request (a call on its way to Terra).
    await query(`UPDATE backfill_requests SET requests_made = 1 WHERE id = (SELECT min(id) FROM backfill_requests WHERE backfill_id = $1)`, [planned.id]);

    await deliver(reauth(a, b, referenceId));
    const [, moved] = await backfillsOf(connectionId);
    expect(moved).toMatchObject({ id: planned.id, start_date: addDays(todayUtc(), -29), end_date: todayUtc(), requests: 2 });
  });

  it('one waiting for the rate budget has made no call: planned again for the gap', async () => {
    const lastDay = addDays(todayUtc(), -4);
    const { a, referenceId, connectionId } = await connectedWithData(lastDay);
    const b = randomUUID();
    await deliver(auth(b, referenceId));
    const ownConnection = await connectionOf(b);
    await scheduler().tick();
    const [planned] = await backfillsOf(ownConnection);
    // As the requester leaves it when the user's day budget is spent: waiting, no call made.
    await query(`UPDATE backfill_requests SET status = 'waiting', next_at = now() + interval '1 hour' WHERE backfill_id = $1`, [planned.id]);
    await query(`UPDATE backfills SET status = 'waiting' WHERE id = $1`, [planned.id]);

    await deliver(reauth(a, b, referenceId));
    expect((await backfillsOf(connectionId))[1]).toMatchObject({ id: planned.id, start_date: null, requests: 0 });
    await scheduler().tick();
    expect((await backfillsOf(connectionId))[1]).toMatchObject({ id: planned.id, start_date: lastDay, requests: 2 });
  });

  it('a reconnect applied before any tick leaves one unplanned on-connect backfill for the joined connection', async () => {
    const a = randomUUID();
    const referenceId = `person-${a}`;
    const b = randomUUID();
    await deliver(auth(a, referenceId));
    await deliver(auth(b, referenceId));
    await deliver(reauth(a, b, referenceId));
    const connectionId = await connectionOf(a);
    expect(await connectionOf(b)).toBe(connectionId);
    const rows = await query<{ connection_id: string; terra_user_id: string; start_date: string | null }>(
      `SELECT connection_id, terra_user_id, start_date FROM backfills WHERE terra_user_id IN ($1, $2)`,
      [a, b],
    );
    expect(rows).toEqual([{ connection_id: connectionId, terra_user_id: a, start_date: null }]);
  });

  it('waits BACKFILL_ON_CONNECT_DELAY_SECONDS before planning, so both webhooks of a reconnect are in by then', async () => {
    const lastDay = addDays(todayUtc(), -5);
    const { a, referenceId, connectionId } = await connectedWithData(lastDay);
    const b = randomUUID();
    await deliver(auth(b, referenceId));
    const ownConnection = await connectionOf(b);
    await scheduler(3600).tick();
    expect(await backfillsOf(ownConnection)).toEqual([expect.objectContaining({ start_date: null, requests: 0 })]);
    await deliver(reauth(a, b, referenceId));
    await scheduler().tick();
    const [, gap] = await backfillsOf(connectionId);
    expect(gap).toMatchObject({ terra_user_id: b, start_date: lastDay, requests: 2 });
  });
});
