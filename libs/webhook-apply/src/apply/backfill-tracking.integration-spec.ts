import { storeDelivery } from './testing/store-delivery';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { budgetFreeAt } from '@terra-connections/connections';
import { WebhookEventApplier } from './webhook-event-applier';
import { createWebhookEventHandlers } from '../webhook-apply.providers';

type Json = Record<string, unknown>;

const user = (userId: string) => ({ user_id: userId, provider: 'OURA', reference_id: 'person-bf', scopes: 'daily', active: true });
const auth = (userId: string) => ({ type: 'auth', status: 'success', user: user(userId), reference_id: 'person-bf' });
const daily = (userId: string, days: string[]) => ({
  type: 'daily',
  user: user(userId),
  data: days.map((day) => ({ metadata: { start_time: `${day}T00:00:00+00:00`, end_time: `${day}T23:59:59+00:00` }, distance_data: { steps: 1 } })),
});

/**
 * The worker half of backfill tracking over the real applier on real Postgres: the on-connect trigger row commits
 * with the activation, and chunks, markers and rate_limit_hit under a request's terra-reference move it to its end
 * in any order, with the backfill.* event in the same transaction.
 */
describe('backfill tracking in the applier (real Postgres)', () => {
  let db: TestDatabase;
  let writer: InboxWriter;
  let applier: WebhookEventApplier;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('backfill_tracking');
    writer = new InboxWriter(db.dataSource);
    applier = new WebhookEventApplier(db.dataSource, createWebhookEventHandlers());
  });
  afterAll(async () => {
    await db.drop();
  });

  async function deliver(payload: Json, terraReference?: string): Promise<void> {
    const id = await storeDelivery(writer, payload, { orderingTimestampMs: Date.now(), terraReference });
    expect(await applier.apply(id, { attempt: 1, maxAttempts: 16 })).toBe('applied');
  }

  const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> => db.dataSource.query(sql, params);

  /**
   * A backfill with one sent request whose call Terra answered with `reference`, as the requester records it
   * (`large`: the answer was large_request_processing).
   */
  async function sentRequest(userId: string, reference: string, range: [string, string], large = false): Promise<{ backfillId: string; requestId: string }> {
    const [connection] = await query<{ connection_id: string }>(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [userId]);
    const [backfill] = await query<{ id: string }>(
      `INSERT INTO backfills (connection_id, terra_user_id, provider, trigger, status, start_date, end_date, types)
       VALUES ($1, $2, 'OURA', 'api', 'running', $3, $4, '{daily}') RETURNING id`,
      [connection.connection_id, userId, range[0], range[1]],
    );
    const [request] = await query<{ id: string }>(
      `INSERT INTO backfill_requests (backfill_id, terra_user_id, data_type, start_date, end_date, send_start, send_end, status, reference, requests_made, last_activity_at)
       VALUES ($1, $2, 'daily', $3, $4, $3, $4, 'sent', $5, 1, now()) RETURNING id::text`,
      [backfill.id, userId, range[0], range[1], reference],
    );
    await query(
      `INSERT INTO backfill_calls (request_id, terra_user_id, days, start_date, end_date, outcome, reference, large) VALUES ($1, $2, 30, $3, $4, 'sent', $5, $6)`,
      [request.id, userId, range[0], range[1], reference, large],
    );
    return { backfillId: backfill.id, requestId: request.id };
  }

  const statusOf = async (backfillId: string) =>
    (await query<{ status: string }>(`SELECT status FROM backfills WHERE id = $1`, [backfillId]))[0].status;
  const eventsOf = async (backfillId: string) =>
    (await query<{ type: string }>(`SELECT type FROM events WHERE data->>'backfill_id' = $1 ORDER BY id`, [backfillId])).map((e) => e.type);

  it('an activation leaves one on-connect backfill row in its own transaction; a redelivered auth adds none', async () => {
    const userId = randomUUID();
    await deliver(auth(userId));
    await deliver(auth(userId));
    const rows = await query<{ trigger: string; status: string; start_date: string | null }>(
      `SELECT b.trigger, b.status, b.start_date FROM backfills b JOIN terra_connections c ON c.connection_id = b.connection_id WHERE c.terra_user_id = $1`,
      [userId],
    );
    expect(rows).toEqual([{ trigger: 'connect', status: 'scheduled', start_date: null }]);
  });

  it('writes no on-connect row when no provider gets history on connect, and one when a provider override is on', async () => {
    const connectRowsOf = async (userId: string) =>
      (await query<{ n: number }>(`SELECT count(*)::int AS n FROM backfills WHERE terra_user_id = $1 AND trigger = 'connect'`, [userId]))[0].n;
    const applierWith = (days: number, byProvider: Record<string, number>) =>
      new WebhookEventApplier(db.dataSource, createWebhookEventHandlers(), { BACKFILL_ON_CONNECT_DAYS: days, BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER: byProvider });
    const connectWith = async (configured: WebhookEventApplier) => {
      const userId = randomUUID();
      const id = await storeDelivery(writer, auth(userId), { orderingTimestampMs: Date.now() });
      expect(await configured.apply(id, { attempt: 1, maxAttempts: 16 })).toBe('applied');
      expect(await query(`SELECT status FROM terra_connections WHERE terra_user_id = $1`, [userId])).toEqual([{ status: 'active' }]);
      return connectRowsOf(userId);
    };
    expect(await connectWith(applierWith(0, {}))).toBe(0);
    expect(await connectWith(applierWith(0, { FITBIT: 0 }))).toBe(0);
    expect(await connectWith(applierWith(0, { GARMIN: 90 }))).toBe(1);
    expect(await connectWith(applierWith(30, {}))).toBe(1);
  });

  it('a large request completes once its announced chunks are applied, whatever the order; backfill.completed commits with it', async () => {
    const userId = randomUUID();
    await deliver(auth(userId));
    const reference = randomUUID();
    const { backfillId, requestId } = await sentRequest(userId, reference, ['2026-09-15', '2026-10-14'], true);
    // A chunk before large_request_sending: counted, not yet complete.
    await deliver(daily(userId, ['2026-10-01', '2026-10-02']), reference);
    await deliver({ type: 'large_request_sending', user: user(userId), reference, expected_payloads: 2 }, reference);
    expect(await statusOf(backfillId)).toBe('running');
    expect(await eventsOf(backfillId)).toEqual([]);
    await deliver(daily(userId, ['2026-09-15', '2026-09-16']), reference);
    expect(await statusOf(backfillId)).toBe('completed');
    expect(await eventsOf(backfillId)).toEqual(['backfill.completed']);
    const [call] = await query<{ received_payloads: number; rows_stored: number; months_received: string[] }>(
      `SELECT received_payloads, rows_stored, months_received FROM backfill_calls WHERE request_id = $1`,
      [requestId],
    );
    expect(call).toEqual({ received_payloads: 2, rows_stored: 4, months_received: ['2026-10', '2026-09'] });
  });

  it('a request of a month or less completes with its one data webhook; data without a known reference changes nothing', async () => {
    const userId = randomUUID();
    await deliver(auth(userId));
    const reference = randomUUID();
    const { backfillId } = await sentRequest(userId, reference, ['2026-11-01', '2026-11-05']);
    await deliver(daily(userId, ['2026-11-01']), randomUUID());
    expect(await statusOf(backfillId)).toBe('running');
    await deliver(daily(userId, ['2026-11-01', '2026-11-02']), reference);
    expect(await statusOf(backfillId)).toBe('completed');
  });

  it("rate_limit_hit (the provider's limit) makes the request wait until Terra's retrying_at, not fail", async () => {
    const userId = randomUUID();
    await deliver(auth(userId));
    const { backfillId, requestId } = await sentRequest(userId, randomUUID(), ['2026-11-01', '2026-11-05']);
    const retryingAt = new Date(Date.now() + 3_600_000).toISOString();
    // No reference in the body or the header: found by user and overlapping range.
    await deliver({ type: 'rate_limit_hit', user: user(userId), start_date: '2026-11-03', end_date: '2026-11-04', retrying_at: retryingAt, message: 'limit' });
    expect(await statusOf(backfillId)).toBe('waiting');
    const [request] = await query<{ status: string; reason: string; last_activity_at: Date }>(
      `SELECT status, reason, last_activity_at FROM backfill_requests WHERE id = $1`,
      [requestId],
    );
    expect(request.status).toBe('waiting');
    expect(request.reason).toContain(retryingAt);
    expect(request.last_activity_at.toISOString()).toBe(retryingAt);
  });

  it("the per-user day budget: a call fits now, or when the oldest calls of the last hour have aged out; 429'd calls spent nothing", async () => {
    const userId = randomUUID();
    await deliver(auth(userId));
    const { requestId } = await sentRequest(userId, randomUUID(), ['2026-11-01', '2026-11-30']);
    const now = new Date();
    const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
    await query(`DELETE FROM backfill_calls WHERE request_id = $1`, [requestId]);
    for (const [days, at, outcome] of [[30, minutesAgo(50), 'sent'], [30, minutesAgo(20), 'sent'], [500, minutesAgo(10), 'rate_limited']] as const) {
      await query(`INSERT INTO backfill_calls (request_id, terra_user_id, days, start_date, end_date, outcome, at) VALUES ($1, $2, $3, '2026-11-01', '2026-11-30', $4, $5)`, [
        requestId,
        userId,
        days,
        outcome,
        at,
      ]);
    }
    await db.dataSource.transaction(async (tx) => {
      expect(await budgetFreeAt(tx, userId, 40, 100, now)).toBeNull();
      expect(await budgetFreeAt(tx, userId, 50, 100, now)).toEqual(new Date(minutesAgo(50).getTime() + 3_600_000));
      expect(await budgetFreeAt(tx, userId, 90, 100, now)).toEqual(new Date(minutesAgo(20).getTime() + 3_600_000));
    });
  });
});
