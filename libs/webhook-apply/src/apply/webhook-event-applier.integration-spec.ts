import { storeDelivery } from './testing/store-delivery';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { createTestDatabase, loadTerraFixture, waitFor, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { WebhookEventApplier } from './webhook-event-applier';
import { createWebhookEventHandlers } from '../webhook-apply.providers';

type Json = Record<string, unknown>;

const T0 = Date.parse('2025-11-05T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;

const user = (userId: string, extra: Json = {}) => ({
  user_id: userId,
  provider: 'GARMIN',
  reference_id: 'person-1',
  scopes: 'a,b',
  last_webhook_update: null,
  active: true,
  ...extra,
});
const auth = (userId: string, extra: Json = {}) => ({ type: 'auth', status: 'success', user: user(userId), reference_id: 'person-1', widget_session_id: null, ...extra });
const deauth = (userId: string) => ({ type: 'deauth', status: 'success', message: 'User has deauthenticated', user: user(userId, { active: false }) });
const reauth = (oldId: string | null, newId: string) => ({
  type: 'user_reauth',
  status: 'warning',
  message: 'reauth',
  old_user: oldId ? user(oldId) : null,
  new_user: user(newId),
});
const daily = (userId: string, day: string, enrichment: Json | null, steps: number) => ({
  type: 'daily',
  user: user(userId),
  version: '2022-03-16',
  data: [{ metadata: { start_time: `${day}T00:00:00.000000+01:00`, end_time: `${day}T23:59:59+01:00` }, distance_data: { steps }, data_enrichment: enrichment }],
});

describe('WebhookEventApplier (real Postgres)', () => {
  let db: TestDatabase;
  let writer: InboxWriter;
  let applier: WebhookEventApplier;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('applier');
    writer = new InboxWriter(db.dataSource);
    const handlers = createWebhookEventHandlers();
    applier = new WebhookEventApplier(db.dataSource, handlers);
  });

  afterAll(async () => {
    await db.drop();
  });

  const store = (payload: unknown, orderingTimestampMs?: number) => storeDelivery(writer, payload, { orderingTimestampMs });

  async function deliver(payload: unknown, orderingTimestampMs?: number): Promise<string> {
    const id = await store(payload, orderingTimestampMs);
    await applier.apply(id, { attempt: 1, maxAttempts: 16 });
    return id;
  }

  const connection = async (terraUserId: string) =>
    (await db.dataSource.query(`SELECT * FROM terra_connections WHERE terra_user_id = $1`, [terraUserId]))[0];
  const inbox = async (id: string) => (await db.dataSource.query(`SELECT * FROM webhook_events WHERE id = $1`, [id]))[0];

  it('auth success: connection active with provider, reference, scopes; the widget attempt succeeded', async () => {
    const fixture = loadTerraFixture('auth_success');
    await db.dataSource.query(
      `INSERT INTO connection_attempts (kind, session_id, reference_id) VALUES ('widget', $1, 'u_2f8e5d1c9b')`,
      [fixture.json.widget_session_id],
    );
    const id = await deliver(fixture.raw, at(0));
    const row = await connection('5220432c-8cb7-4afb-bcb7-0236903bcbfd');
    expect(row).toMatchObject({
      status: 'active',
      provider: 'GARMIN',
      reference_id: 'u_2f8e5d1c9b',
      scopes: ['COURSE_IMPORT', 'WORKOUT_IMPORT', 'ACTIVITY_EXPORT', 'HEALTH_EXPORT'],
    });
    expect(row.connected_at).toEqual(new Date(at(0)));
    const attempts = await db.dataSource.query(`SELECT * FROM connection_attempts WHERE session_id = $1`, [fixture.json.widget_session_id]);
    expect(attempts[0]).toMatchObject({ status: 'succeeded', terra_user_id: '5220432c-8cb7-4afb-bcb7-0236903bcbfd' });
    expect(await inbox(id)).toMatchObject({ status: 'processed', attempts: 1 });
  });

  it('auth error: the attempt is cancelled with the reason and no connection exists', async () => {
    const fixture = loadTerraFixture('auth_error');
    await db.dataSource.query(
      `INSERT INTO connection_attempts (kind, session_id, reference_id) VALUES ('widget', $1, 'u_7a41c0e3d2')`,
      [fixture.json.widget_session_id],
    );
    await deliver(fixture.raw, at(0));
    const attempts = await db.dataSource.query(`SELECT * FROM connection_attempts WHERE session_id = $1`, [fixture.json.widget_session_id]);
    expect(attempts[0]).toMatchObject({ status: 'cancelled', reason: 'auth_cancelled' });
    expect(await connection('b1692850-2322-47e8-9b7a-3ef8c555c281')).toBeUndefined();
  });

  it('matches direct auth by the pre-allocated user id and mobile auth by reference_id', async () => {
    const direct = randomUUID();
    await db.dataSource.query(`INSERT INTO connection_attempts (kind, terra_user_id, reference_id) VALUES ('direct', $1, 'p-direct')`, [direct]);
    await db.dataSource.query(`INSERT INTO connection_attempts (kind, reference_id, providers) VALUES ('mobile', 'p-mobile', '{APPLE}')`);
    await deliver(auth(direct, { reference_id: 'p-direct' }), at(1));
    const mobile = randomUUID();
    await deliver({ ...auth(mobile, { reference_id: 'p-mobile' }), user: user(mobile, { provider: 'APPLE', reference_id: 'p-mobile' }) }, at(1));
    const rows = await db.dataSource.query(`SELECT kind, status, terra_user_id FROM connection_attempts WHERE reference_id IN ('p-direct','p-mobile') ORDER BY kind`);
    expect(rows).toEqual([
      { kind: 'direct', status: 'succeeded', terra_user_id: direct },
      { kind: 'mobile', status: 'succeeded', terra_user_id: mobile },
    ]);
  });

  it('a deauth that overtook its auth leaves the connection disconnected, and a retried auth cannot revive it', async () => {
    const id = randomUUID();
    await deliver(deauth(id), at(20));
    await deliver(auth(id), at(10));
    expect(await connection(id)).toMatchObject({ status: 'disconnected' });
    await deliver({ ...auth(id), message: 'retry' }, at(15));
    expect(await connection(id)).toMatchObject({ status: 'disconnected' });
  });

  it('deauth after our own DELETE is a no-op; at equal timestamps the terminal state wins', async () => {
    const id = randomUUID();
    await deliver(auth(id), at(30));
    await deliver(deauth(id), at(30));
    const first = await connection(id);
    expect(first.status).toBe('disconnected');
    await deliver({ ...deauth(id), message: 'again' }, at(40));
    expect(await connection(id)).toMatchObject({ status: 'disconnected', status_reason: first.status_reason });
  });

  it('reauth chains end right whatever the order: A->B then B->C delivered backwards, late auths ignored', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await deliver(auth(a), at(0));
    await deliver(reauth(b, c), at(20));
    await deliver(auth(c), at(19));
    await deliver(reauth(a, b), at(10));
    await deliver(auth(b), at(11));
    expect(await connection(a)).toMatchObject({ status: 'replaced', replaced_by: b });
    expect(await connection(b)).toMatchObject({ status: 'replaced', replaced_by: c });
    expect(await connection(c)).toMatchObject({ status: 'active', reference_id: 'person-1', provider: 'GARMIN', replaced_by: null });
  });

  it('user_reauth works before the new id\'s auth and with old_user null', async () => {
    const [oldId, newId, lone] = [randomUUID(), randomUUID(), randomUUID()];
    await deliver(auth(oldId, { reference_id: 'ref-x', user: user(oldId, { reference_id: 'ref-x' }) }), at(0));
    await deliver({ ...reauth(oldId, newId), old_user: user(oldId, { reference_id: null }), new_user: user(newId, { reference_id: null }) }, at(5));
    expect(await connection(newId)).toMatchObject({ status: 'active', reference_id: 'ref-x' });
    await deliver(auth(newId, { reference_id: 'ref-x' }), at(6));
    expect(await connection(newId)).toMatchObject({ status: 'active' });
    expect(await connection(oldId)).toMatchObject({ status: 'replaced', replaced_by: newId });
    await deliver(reauth(null, lone), at(7));
    expect(await connection(lone)).toMatchObject({ status: 'active' });
  });

  it('connection_error -> error, a later auth brings it back; permission_change replaces scopes', async () => {
    const id = randomUUID();
    await deliver(auth(id), at(0));
    await deliver({ type: 'connection_error', status: 'warning', message: 'User connection degraded', user: user(id) }, at(5));
    expect(await connection(id)).toMatchObject({ status: 'error', status_reason: 'User connection degraded' });
    await deliver(auth(id), at(10));
    expect(await connection(id)).toMatchObject({ status: 'active', status_reason: null });
    await deliver({ type: 'permission_change', status: 'warning', user: user(id, { scopes: 'x, y,z' }) }, at(11));
    expect((await connection(id)).scopes).toEqual(['x', 'y', 'z']);
  });

  it('health data: later copies replace earlier ones, null scores keep stored ones, older copies never overwrite', async () => {
    const id = randomUUID();
    await deliver(daily(id, '2026-03-30', { readiness_score: 70, stress_score: 30 }, 100), at(10));
    await deliver(daily(id, '2026-03-30', { readiness_score: null, stress_score: 35 }, 200), at(20));
    await deliver(daily(id, '2026-03-30', { readiness_score: 1, stress_score: 1 }, 50), at(15));
    const rows = await db.dataSource.query(`SELECT data_key, date::text AS date, payload FROM health_data WHERE terra_user_id = $1`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].data_key).toBe('2026-03-30');
    expect(rows[0].date).toBe('2026-03-30');
    expect(rows[0].payload.distance_data.steps).toBe(200);
    expect(rows[0].payload.data_enrichment).toEqual({ readiness_score: 70, stress_score: 35 });
  });

  it('takes the Terra user\'s lock before applying, and only for a row it will apply', async () => {
    const id = randomUUID();
    const done = await deliver(auth(id), at(0));
    const pending = await store(daily(id, '2025-12-01', null, 3), at(1));
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [id]);
    try {
      const applying = applier.apply(pending, { attempt: 1, maxAttempts: 16 });
      const waiting = async () =>
        (await db.dataSource.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).length > 0;
      await waitFor(waiting, { describe: 'the apply to wait for the user lock' });
      // An already-processed row of the same user does not wait for it.
      expect(await applier.apply(done, { attempt: 1, maxAttempts: 16 })).toBe('already-processed');
      expect((await inbox(pending)).status).toBe('pending');
      await holder.commitTransaction();
      expect(await applying).toBe('applied');
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('keeps data for a user we do not know yet and moves last_sync_at once the auth is in', async () => {
    const id = randomUUID();
    await deliver(daily(id, '2025-11-01', null, 1), at(0));
    expect(await connection(id)).toBeUndefined();
    expect(await db.dataSource.query(`SELECT 1 FROM health_data WHERE terra_user_id = $1`, [id])).toHaveLength(1);
    const authId = await deliver(auth(id), at(1));
    expect(await connection(id)).toMatchObject({ last_sync_at: null, last_webhook_at: (await inbox(authId)).received_at });
    const dailyId = await deliver(daily(id, '2025-11-02', null, 1), at(2));
    const row = await connection(id);
    // Both stamps come from the data event's arrival, written by the one update the data handler makes.
    const received = (await inbox(dailyId)).received_at;
    expect(row.last_sync_at).toEqual(received);
    expect(row.last_webhook_at).toEqual(received);
    // A connection event stamps last_webhook_at only.
    await db.dataSource.query(`UPDATE webhook_events SET received_at = now() + interval '1 minute' WHERE id = $1`, [authId]);
    await db.dataSource.query(`UPDATE webhook_events SET status = 'pending' WHERE id = $1`, [authId]);
    await applier.apply(authId, { attempt: 1, maxAttempts: 16 });
    const after = await connection(id);
    expect(after.last_webhook_at).toEqual((await inbox(authId)).received_at);
    expect(after.last_sync_at).toEqual(received);
  });

  it('access_revoked deletes the user\'s data and later data for it is not stored', async () => {
    const id = randomUUID();
    await deliver(auth(id), at(0));
    await deliver(daily(id, '2025-11-01', null, 1), at(1));
    await deliver({ type: 'access_revoked', status: 'warning', message: 'User revoked access', user: user(id) }, at(2));
    expect(await connection(id)).toMatchObject({ status: 'revoked' });
    expect(await db.dataSource.query(`SELECT 1 FROM health_data WHERE terra_user_id = $1`, [id])).toHaveLength(0);
    await deliver(daily(id, '2025-11-02', null, 1), at(1));
    expect(await db.dataSource.query(`SELECT 1 FROM health_data WHERE terra_user_id = $1`, [id])).toHaveLength(0);
  });

  it('data applied after our DELETE (disconnected) or after a deauth is not stored again', async () => {
    const [deleted, deauthed] = [randomUUID(), randomUUID()];
    await deliver(auth(deleted), at(0));
    await deliver(auth(deauthed), at(0));
    // What ConnectionsService.disconnect commits: the row disconnected and the user's data deleted.
    await db.dataSource.query(
      `UPDATE terra_connections SET status = 'disconnected', disconnected_at = now(), status_reason = 'disconnected via API'
       WHERE terra_user_id = $1`,
      [deleted],
    );
    await deliver(deauth(deauthed), at(5));
    const lateData = await deliver(daily(deleted, '2025-11-01', null, 1), at(10));
    await deliver(daily(deauthed, '2025-11-01', null, 1), at(10));
    expect(await inbox(lateData)).toMatchObject({ status: 'processed' });
    expect(await db.dataSource.query(`SELECT 1 FROM health_data WHERE terra_user_id = ANY($1)`, [[deleted, deauthed]])).toHaveLength(0);
    expect((await connection(deleted)).last_sync_at).toBeNull();
  });

  it('an auth re-signed after the deauth (a later t) does not bring the ended id back; error -> active still does', async () => {
    const [ended, errored] = [randomUUID(), randomUUID()];
    await deliver(auth(ended), at(0));
    await deliver(deauth(ended), at(10));
    await deliver({ ...auth(ended), message: 'retried' }, at(20));
    expect(await connection(ended)).toMatchObject({ status: 'disconnected' });
    await deliver({ type: 'access_revoked', status: 'warning', message: 'revoked', user: user(ended) }, at(25));
    await deliver({ ...auth(ended), message: 'again' }, at(30));
    expect(await connection(ended)).toMatchObject({ status: 'revoked' });
    await deliver(auth(errored), at(0));
    await deliver({ type: 'connection_error', status: 'warning', message: 'degraded', user: user(errored) }, at(5));
    await deliver(auth(errored), at(6));
    expect(await connection(errored)).toMatchObject({ status: 'active' });
  });

  it('an older permission_change never overwrites newer scopes, whatever the status did since', async () => {
    const id = randomUUID();
    await deliver(auth(id), at(0));
    await deliver({ type: 'permission_change', status: 'warning', user: user(id, { scopes: 'new' }) }, at(20));
    await deliver({ type: 'permission_change', status: 'warning', user: user(id, { scopes: 'old' }) }, at(10));
    expect(await connection(id)).toMatchObject({ scopes: ['new'], scopes_changed_at: new Date(at(20)) });
    // A late auth older than the scopes keeps the newer scopes too.
    await deliver({ type: 'connection_error', status: 'warning', message: 'degraded', user: user(id) }, at(30));
    await deliver({ ...auth(id), message: 'late', user: user(id, { scopes: 'stale' }) }, at(31));
    await deliver({ type: 'permission_change', status: 'warning', user: user(id, { scopes: 'newest' }) }, at(25));
    expect((await connection(id)).scopes).toEqual(['stale']);
    await deliver({ type: 'permission_change', status: 'warning', user: user(id, { scopes: 'latest' }) }, at(40));
    expect((await connection(id)).scopes).toEqual(['latest']);
  });

  it('an item with an impossible date is skipped; the rest of the chunk is stored', async () => {
    const id = randomUUID();
    const event = daily(id, '2026-02-27', null, 1);
    const bad = { metadata: { start_time: '2026-02-30T00:00:00+01:00', end_time: '2026-02-30T23:59:59+01:00' }, distance_data: { steps: 2 } };
    const eventId = await deliver({ ...event, data: [...event.data, bad] }, at(0));
    expect(await inbox(eventId)).toMatchObject({ status: 'processed', last_error: null });
    const rows = await db.dataSource.query(`SELECT data_key FROM health_data WHERE terra_user_id = $1`, [id]);
    expect(rows).toEqual([{ data_key: '2026-02-27' }]);
  });

  it('stores a chunk of 2,500 days across upsert batches, and a key repeated in the chunk once, as its last copy', async () => {
    const id = randomUUID();
    const day = (n: number) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10);
    const item = (date: string, steps: number) => ({ metadata: { start_time: `${date}T00:00:00+00:00`, end_time: `${date}T23:59:59+00:00` }, distance_data: { steps } });
    const data = [...Array.from({ length: 2_500 }, (_, n) => item(day(n), n)), item(day(0), -1), item(day(1_200), -2)];
    const eventId = await deliver({ ...daily(id, day(0), null, 0), data }, at(0));
    expect(await inbox(eventId)).toMatchObject({ status: 'processed', last_error: null });
    const rows: { n: number; keys: number; first: number; middle: number; last: number }[] = await db.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT data_key)::int AS keys,
              max((payload -> 'distance_data' ->> 'steps')::int) FILTER (WHERE data_key = $2) AS first,
              max((payload -> 'distance_data' ->> 'steps')::int) FILTER (WHERE data_key = $3) AS middle,
              max((payload -> 'distance_data' ->> 'steps')::int) FILTER (WHERE data_key = $4) AS last
       FROM health_data WHERE terra_user_id = $1`,
      [id, day(0), day(1_200), day(2_499)],
    );
    expect(rows[0]).toEqual({ n: 2_500, keys: 2_500, first: -1, middle: -2, last: 2_499 });
    // The size reads page on: the item as JSON text, as the worker wrote it.
    const [{ bytes }] = await db.dataSource.query(`SELECT payload_bytes AS bytes FROM health_data WHERE terra_user_id = $1 AND data_key = $2`, [id, day(2_499)]);
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(item(day(2_499), 2_499))));
  });

  it('access_revoked empties the raw payloads of the user\'s processed events, keeping the rows', async () => {
    const [id, other] = [randomUUID(), randomUUID()];
    const authId = await deliver(auth(id), at(0));
    const dataId = await deliver(daily(id, '2025-11-01', null, 1), at(1));
    const pendingId = await store(daily(id, '2025-11-02', null, 2), at(1));
    const otherId = await deliver(daily(other, '2025-11-01', null, 1), at(1));
    const revokedId = await deliver({ type: 'access_revoked', status: 'warning', message: 'User revoked access', user: user(id) }, at(2));
    expect(await inbox(dataId)).toMatchObject({ status: 'processed', type: 'daily', terra_user_id: id });
    expect((await inbox(dataId)).payload).toEqual({});
    expect((await inbox(authId)).payload).toEqual({});
    expect((await inbox(pendingId)).payload).toMatchObject({ type: 'daily' });
    expect((await inbox(otherId)).payload).toMatchObject({ type: 'daily' });
    expect((await inbox(revokedId)).payload).toMatchObject({ type: 'access_revoked' });
  });

  it('data and access_revoked for an unknown user applied at the same moment leave no data behind', async () => {
    const users = Array.from({ length: 10 }, () => randomUUID());
    await Promise.all(
      users.map(async (id) => {
        const data = await store(daily(id, '2025-11-01', null, 1), at(1));
        const revoke = await store({ type: 'access_revoked', status: 'warning', message: 'revoked', user: user(id) }, at(2));
        await Promise.all([data, revoke].map((eventId) => applier.apply(eventId, { attempt: 1, maxAttempts: 16 })));
      }),
    );
    expect(await db.dataSource.query(`SELECT terra_user_id FROM health_data WHERE terra_user_id = ANY($1)`, [users])).toEqual([]);
  });

  it('applies an event once even when two jobs run it at the same moment', async () => {
    const id = await store(daily(randomUUID(), '2025-11-03', null, 1), at(0));
    const outcomes = await Promise.all([
      applier.apply(id, { attempt: 1, maxAttempts: 16 }),
      applier.apply(id, { attempt: 1, maxAttempts: 16 }),
    ]);
    expect(outcomes.sort()).toEqual(['already-processed', 'applied']);
    expect(await inbox(id)).toMatchObject({ status: 'processed', attempts: 1 });
  });

  it('records and processes unknown types without failing', async () => {
    const id = await deliver({ type: 'lab_report.completed', status: 'success', user: user(randomUUID()) });
    expect(await inbox(id)).toMatchObject({ status: 'processed', type: 'lab_report.completed' });
  });

  it('fails a payload that cannot be applied at once, with the reason on the row', async () => {
    const id = await store({ type: 'deauth', status: 'success', message: null });
    await expect(applier.apply(id, { attempt: 1, maxAttempts: 16 })).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await inbox(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('deauth event without user.user_id') });
  });

  it('fails a payload that does not parse as its type at once, naming the missing part and nothing it holds', async () => {
    const userId = randomUUID();
    const id = await store({ type: 'daily', user: user(userId), data: { steps: 4242 } });
    await expect(applier.apply(id, { attempt: 1, maxAttempts: 16 })).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await inbox(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'PermanentEventError: daily event without a data array' });
    expect(await db.dataSource.query(`SELECT 1 FROM health_data WHERE terra_user_id = $1`, [userId])).toHaveLength(0);
  });
});
