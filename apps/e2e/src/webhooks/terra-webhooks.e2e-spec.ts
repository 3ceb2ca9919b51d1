import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import {
  createTestDatabase,
  FakeTerraServer,
  listTerraFixtures,
  loadTerraFixture,
  postWebhook,
  signTerraBody,
  TEST_ADMIN_KEY,
  TEST_API_KEY,
  testEnv,
  waitFor,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { DistProcess } from '../support/dist-process';

const PREVIOUS_SECRET = 'previous-webhook-secret';

/**
 * The story of terra-contract.md §10, in the order it happened. Each delivery gets an increasing ordering timestamp,
 * so the connections' final states are defined whatever order the worker applies them in. The stored data is
 * not: a data event applied after its connection was deauthorised is dropped (health-data.handler.ts), so the worker here applies one job at a time, in delivery order.
 */
const STORY = [
  'auth_success',
  'activity',
  'daily',
  'body',
  'athlete',
  'large_request_processing',
  'large_request_sending',
  'user_reauth',
  'deauth',
  'auth_error',
  'nutrition',
  'permission_change',
  'connection_error',
  'sleep',
  'access_revoked',
  'menstruation',
  'google_no_datasource',
  'healthcheck',
];

const GARMIN_OLD = '5220432c-8cb7-4afb-bcb7-0236903bcbfd';
const GARMIN_NEW = '42c8a0f4-efd9-4069-83d1-bf8d1489d9d1';

describe('Terra webhooks end to end: API -> inbox -> BullMQ -> worker process -> Postgres', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let api: ApiProcess;
  let worker: DistProcess;
  let terra: FakeTerraServer;

  beforeAll(async () => {
    db = await createTestDatabase('webhooks_e2e');
    terra = await FakeTerraServer.start();
    env = testEnv({
      DATABASE_URL: db.url,
      TERRA_WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET,
      TERRA_API_URL: terra.baseUrl,
      TERRA_DEV_ID: terra.devId,
      TERRA_API_KEY: terra.apiKey,
      WEBHOOK_RETRY_BASE_DELAY_MS: '100',
      RECONCILE_INTERVAL_MS: '0',
      WORKER_CONCURRENCY: '1',
    });
    [api, worker] = await Promise.all([startApiProcess(env, TEST_API_KEY), DistProcess.start('worker', env)]);
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    const config = loadConfig(env);
    const queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    await terra?.close();
    await db?.drop();
  });

  const query = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => db.dataSource.query(sql, params);
  const connection = async (terraUserId: string) =>
    (await query(`SELECT * FROM terra_connections WHERE terra_user_id = $1`, [terraUserId]))[0];

  async function settled(eventId: unknown, describe = `inbox row ${String(eventId)} applied`): Promise<Record<string, unknown>> {
    return waitFor(
      async () => {
        const [row] = await query(`SELECT * FROM webhook_events WHERE id = $1`, [eventId]);
        return row && row.status !== 'pending' ? row : undefined;
      },
      { timeoutMs: 20_000, describe },
    );
  }

  it('applies every fixture, signed and POSTed to the running API, to the right rows', async () => {
    expect(listTerraFixtures().sort()).toEqual([...STORY].sort());
    const authError = loadTerraFixture('auth_error').json;
    const authSuccess = loadTerraFixture('auth_success').json;
    await query(`INSERT INTO connection_attempts (kind, session_id, reference_id) VALUES ('widget', $1, 'u_2f8e5d1c9b'), ('widget', $2, 'u_7a41c0e3d2')`, [
      authSuccess.widget_session_id,
      authError.widget_session_id,
    ]);

    const base = Date.now() - 60_000;
    const ids: string[] = [];
    for (const [index, name] of STORY.entries()) {
      const fixture = loadTerraFixture(name);
      const res = await postWebhook(api.url, fixture.raw, { traceId: randomUUID(), orderingTimestamp: base + index * 1000 });
      expect({ name, status: res.status, body: res.body.status }).toEqual({ name, status: 200, body: 'accepted' });
      ids.push(String(res.body.event_id));
    }
    for (const id of ids) expect(await settled(id)).toMatchObject({ status: 'processed', attempts: 1 });

    // The inbox stored the body as sent (jsonb of the exact text) with the envelope columns.
    const [reauthRow] = await query(`SELECT type, terra_user_id, payload FROM webhook_events WHERE id = $1`, [ids[STORY.indexOf('user_reauth')]]);
    expect(reauthRow).toEqual({ type: 'user_reauth', terra_user_id: GARMIN_NEW, payload: loadTerraFixture('user_reauth').json });

    // The reconnect kept the connection: the old id's row is its history, the new id its current one.
    const garmin = await connection(GARMIN_NEW);
    expect(await connection(GARMIN_OLD)).toMatchObject({ status: 'replaced', replaced_by: GARMIN_NEW, provider: 'GARMIN', reference_id: 'u_2f8e5d1c9b', connection_id: garmin.connection_id, is_current: false });
    expect(garmin).toMatchObject({ status: 'disconnected', reference_id: 'u_2f8e5d1c9b', provider: 'GARMIN', is_current: true });
    expect(await query(`SELECT status, terra_user_id, reason FROM connection_attempts ORDER BY reference_id`)).toEqual([
      { status: 'succeeded', terra_user_id: GARMIN_OLD, reason: null },
      { status: 'cancelled', terra_user_id: 'b1692850-2322-47e8-9b7a-3ef8c555c281', reason: 'auth_cancelled' },
    ]);
    expect(await connection('b1692850-2322-47e8-9b7a-3ef8c555c281')).toBeUndefined();

    const data = await query(`SELECT terra_user_id, type, data_key FROM health_data ORDER BY terra_user_id, type`);
    expect(data).toEqual([
      { terra_user_id: '2be64da0-93d6-4693-8fb0-2339bbc35235', type: 'nutrition', data_key: '2025-11-04' },
      { terra_user_id: GARMIN_OLD, type: 'activity', data_key: '21847365012' },
      { terra_user_id: GARMIN_OLD, type: 'athlete', data_key: 'athlete' },
      { terra_user_id: GARMIN_OLD, type: 'body', data_key: '2025-11-05' },
      { terra_user_id: GARMIN_OLD, type: 'daily', data_key: '2025-11-04' },
      { terra_user_id: 'dbb8fa01-2ef5-46ff-8993-5b7c02c6d90a', type: 'menstruation', data_key: '2025-11-06' },
    ]);
    // Sleep was stored, then deleted by access_revoked.
    expect(await connection('ebd21416-aa58-4829-9075-bec647df137f')).toMatchObject({ status: 'revoked', status_reason: 'User revoked access' });
    expect(await connection('2be64da0-93d6-4693-8fb0-2339bbc35235')).toMatchObject({ status: 'error', status_reason: 'User connection degraded' });
    const oldGarmin = await connection(GARMIN_OLD);
    expect(oldGarmin.last_sync_at).not.toBeNull();
    expect(oldGarmin.scopes).toEqual(['COURSE_IMPORT', 'WORKOUT_IMPORT', 'ACTIVITY_EXPORT', 'HEALTH_EXPORT']);
  });

  it('reads health data back through /v1/connections/:id/data with filters and a cursor', async () => {
    const all = await api.request('GET', `/v1/connections/${GARMIN_OLD}/data`);
    expect(all.status).toBe(200);
    expect(all.body.data.map((item: { type: string }) => item.type)).toEqual(['athlete', 'daily', 'activity', 'body']);
    expect(all.body.next_cursor).toBeNull();

    const daily = await api.request('GET', `/v1/connections/${GARMIN_OLD}/data?type=daily&from=2025-11-04&to=2025-11-04`);
    expect(daily.body.data).toHaveLength(1);
    expect(daily.body.data[0]).toMatchObject({ type: 'daily', date: '2025-11-04', start_time: '2025-11-04T00:00:00.000Z' });
    expect(daily.body.data[0].payload.data_enrichment.readiness_score).toBe(74);

    const activity = await api.request('GET', `/v1/connections/${GARMIN_OLD}/data?type=activity`);
    expect(activity.body.data[0]).toMatchObject({ summary_id: '21847365012', end_time: '2025-11-04T07:52:48.000Z' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { type: string }[]; next_cursor: string | null } } = await api.request(
        'GET',
        `/v1/connections/${GARMIN_OLD}/data?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.data.map((item) => item.type));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['athlete', 'daily', 'activity', 'body']);

    expect((await api.request('GET', `/v1/connections/${GARMIN_OLD}/data?from=2025-11-05`)).body.data.map((d: { type: string }) => d.type)).toEqual(['body']);
    expect((await api.request('GET', `/v1/connections/${GARMIN_OLD}/data`, { key: null })).status).toBe(401);
    expect((await api.request('GET', `/v1/connections/${randomUUID()}/data`)).status).toBe(404);
  });

  it('answers 400 naming the field for bad read parameters', async () => {
    const cases: [string, string][] = [
      ['type=steps', 'type'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['from=yesterday', 'from'],
      ['to=2025-13', 'to'],
      ['from=2026-13-45', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=2026-01-01T25:00', 'from'],
      ['cursor=not-a-cursor', 'cursor'],
    ];
    for (const [params, field] of cases) {
      const res = await api.request('GET', `/v1/connections/${GARMIN_OLD}/data?${params}`);
      expect({ params, status: res.status, error: res.body.error }).toEqual({ params, status: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(field);
    }
    const events = await api.request('GET', `/v1/connections/${GARMIN_OLD}/events?limit=-1`);
    expect(events.status).toBe(400);
    expect(events.body.message).toContain('limit');
  });

  it('lists a connection\'s webhook history newest first, without payloads, under every Terra id it had', async () => {
    const res = await api.request('GET', `/v1/connections/${GARMIN_OLD}/events?limit=3`);
    expect(res.status).toBe(200);
    // The deauth and the user_reauth are about the new id (GARMIN_NEW), the rest about the old one: one connection.
    expect(res.body.data.map((event: { type: string; terra_user_id: string }) => [event.type, event.terra_user_id])).toEqual([
      ['deauth', GARMIN_NEW],
      ['user_reauth', GARMIN_NEW],
      ['large_request_sending', GARMIN_OLD],
    ]);
    expect(res.body.data[0]).toEqual(expect.objectContaining({ status: 'processed', last_error: null, received_at: expect.any(String) }));
    expect(res.body.data[0].payload).toBeUndefined();
    const next = await api.request('GET', `/v1/connections/${GARMIN_NEW}/events?limit=3&cursor=${res.body.next_cursor}`);
    expect(next.body.data.map((event: { type: string }) => event.type)).toEqual(['large_request_processing', 'athlete', 'body']);
    expect((await api.request('GET', `/v1/connections/${randomUUID()}/events`)).status).toBe(404);
  });

  it('stores and applies one delivery sent three times, counting the duplicates', async () => {
    const userId = randomUUID();
    const body = JSON.stringify({ type: 'auth', status: 'success', user: { user_id: userId, provider: 'OURA', reference_id: 'dup', scopes: 'a' }, reference_id: 'dup', widget_session_id: null });
    const traceId = randomUUID();
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await postWebhook(api.url, body, { traceId }));
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [200, 'accepted'],
      [200, 'duplicate'],
      [200, 'duplicate'],
    ]);
    const row = await settled(answers[0].body.event_id);
    expect(row).toMatchObject({ status: 'processed', attempts: 1, duplicate_count: 2 });
    expect(await query(`SELECT count(*)::int AS n FROM webhook_events WHERE terra_user_id = $1`, [userId])).toEqual([{ n: 1 }]);

    // Without a trace id the body hash is the key: Terra's retry of the same bytes is still one event.
    const untraced = JSON.stringify({ type: 'deauth', status: 'success', message: null, user: { user_id: userId, provider: 'OURA' } });
    const first = await postWebhook(api.url, untraced);
    const again = await postWebhook(api.url, untraced);
    expect(again.body).toMatchObject({ status: 'duplicate', event_id: first.body.event_id });
    expect(await settled(first.body.event_id)).toMatchObject({ status: 'processed', duplicate_count: 1 });
    expect(await connection(userId)).toMatchObject({ status: 'disconnected' });
  });

  it('rejects bad, missing, expired, tampered and re-serialised signatures with 401 and stores nothing', async () => {
    const marker = randomUUID();
    const body = `{\n  "type": "healthcheck",\n  "status": "success",\n  "marker": "${marker}"\n}`;
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>][] = [
      ['wrong secret', postWebhook(api.url, body, { secret: 'not-our-secret' })],
      ['missing', postWebhook(api.url, body, { signature: null })],
      ['malformed', postWebhook(api.url, body, { signature: 'v1=deadbeef' })],
      ['expired', postWebhook(api.url, body, { t: now - 330 })],
      ['from the future', postWebhook(api.url, body, { t: now + 330 })],
      ['tampered', postWebhook(api.url, body.replace('success', 'failure'), { signature: signTerraBody(body) })],
      ['re-serialised', postWebhook(api.url, JSON.stringify(JSON.parse(body)), { signature: signTerraBody(body) })],
      ['empty body', postWebhook(api.url, '', { signature: signTerraBody('') })],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    expect(await query(`SELECT id FROM webhook_events WHERE payload->>'marker' = $1`, [marker])).toEqual([]);

    // Only the legacy header, and the previous secret during a rotation: both accepted.
    const legacy = await postWebhook(api.url, body, { signature: null, headers: { 'terra-signature': signTerraBody(body) } });
    expect(legacy.status).toBe(200);
    const rotated = await postWebhook(api.url, body.replace(marker, `${marker}-2`), { secret: PREVIOUS_SECRET });
    expect(rotated.status).toBe(200);
    expect(await query(`SELECT id FROM webhook_events WHERE payload->>'marker' LIKE $1`, [`${marker}%`])).toHaveLength(2);
  });

  it('answers 400 to a well-signed body that is not a JSON event', async () => {
    const notJson = await postWebhook(api.url, '{"type": "auth",');
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toMatch(/not valid JSON/);
    const noType = await postWebhook(api.url, '{"status":"success"}');
    expect(noType.status).toBe(400);
    expect(noType.body.message).toMatch(/"type"/);
    expect((await postWebhook(api.url, '[1,2]')).status).toBe(400);
  });

  it('accepts and applies a 10 MB backfill chunk', async () => {
    const userId = randomUUID();
    const samples = Array.from({ length: 200_000 }, (_, i) => ({ timestamp: `2025-10-01T00:00:${String(i % 60).padStart(2, '0')}.000000+00:00`, bpm: 60 + (i % 40) }));
    const body = JSON.stringify({
      type: 'activity',
      version: '2022-03-16',
      user: { user_id: userId, provider: 'GARMIN', reference_id: 'big', scopes: null },
      data: [{ metadata: { summary_id: 'big-1', start_time: '2025-10-01T00:00:00+00:00', end_time: '2025-10-01T02:00:00+00:00' }, heart_rate_data: { detailed: { hr_samples: samples } } }],
    });
    expect(body.length).toBeGreaterThan(10 * 1024 * 1024);
    const res = await postWebhook(api.url, body, { terraReference: 'backfill-1', traceId: 'backfill-1:chunk:0' });
    expect(res.status).toBe(200);
    expect(await settled(res.body.event_id)).toMatchObject({ status: 'processed', terra_reference: 'backfill-1' });
    const [row] = await query<{ n: number }>(
      `SELECT jsonb_array_length(payload->'heart_rate_data'->'detailed'->'hr_samples') AS n FROM health_data WHERE terra_user_id = $1`,
      [userId],
    );
    expect(row.n).toBe(200_000);
  });

  it('keeps a failed event as a dead letter, lists it for admins only, and replays it', async () => {
    const broken = await postWebhook(api.url, { type: 'connection_error', status: 'warning', message: 'no user here' });
    expect(await settled(broken.body.event_id)).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('without user.user_id') });

    expect((await api.request('GET', '/v1/webhook-events?status=failed')).status).toBe(401);
    const failed = await api.request('GET', '/v1/webhook-events?status=failed', { key: TEST_ADMIN_KEY });
    expect(failed.status).toBe(200);
    expect(failed.body.data).toEqual([expect.objectContaining({ id: broken.body.event_id, type: 'connection_error', status: 'failed' })]);
    expect((await api.request('GET', '/v1/webhook-events?status=lost', { key: TEST_ADMIN_KEY })).body.message).toContain('status');

    // Replaying the unfixable payload re-runs it (attempt 2) and it fails again.
    const replay = await api.request('POST', `/v1/webhook-events/${broken.body.event_id}/replay`, { key: TEST_ADMIN_KEY });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ id: broken.body.event_id, status: 'pending', enqueued: true });
    await waitFor(async () => {
      const [row] = await query(`SELECT status, attempts FROM webhook_events WHERE id = $1`, [broken.body.event_id]);
      return row.status === 'failed' && row.attempts === 2;
    }, { describe: 'the replayed dead letter to fail again' });

    // Events whose retries ran out while Postgres was down: replay-failed applies them all.
    const users = [randomUUID(), randomUUID()];
    const dead = [];
    for (const userId of users) {
      const payload = { type: 'auth', status: 'success', user: { user_id: userId, provider: 'WHOOP', reference_id: 'dl' }, reference_id: 'dl' };
      const [row] = await query<{ id: string }>(
        `INSERT INTO webhook_events (dedup_key, type, terra_user_id, event_at, payload, status, attempts, last_error)
         VALUES ($1, 'auth', $2, now(), $3::jsonb, 'failed', 16, 'connect ECONNREFUSED') RETURNING id`,
        [randomUUID(), userId, JSON.stringify(payload)],
      );
      dead.push(row.id);
    }
    const all = await api.request('POST', '/v1/webhook-events/replay-failed', { key: TEST_ADMIN_KEY });
    expect(all.status).toBe(202);
    expect(all.body).toEqual({ replayed: 3, enqueued: 3 });
    for (const id of dead) expect(await settled(id)).toMatchObject({ status: 'processed', attempts: 17 });
    for (const userId of users) expect(await connection(userId)).toMatchObject({ status: 'active' });

    expect((await api.request('POST', `/v1/webhook-events/${dead[0]}/replay`, { key: TEST_ADMIN_KEY })).status).toBe(409);
    expect((await api.request('POST', '/v1/webhook-events/999999999/replay', { key: TEST_ADMIN_KEY })).status).toBe(404);
    const badId = await api.request('POST', '/v1/webhook-events/abc/replay', { key: TEST_ADMIN_KEY });
    expect(badId.status).toBe(400);
    expect(badId.body.message).toContain('id');
  });

  // Last: reconciliation rewrites every live connection this suite created.
  it('reconciles on demand against Terra\'s /subscriptions', async () => {
    expect((await api.request('POST', '/v1/admin/reconcile')).status).toBe(401);
    const unknown = terra.addUser({ provider: 'POLAR', reference_id: 'found-later', scopes: 'x,y' });
    const live = await query<{ terra_user_id: string }>(`SELECT terra_user_id FROM terra_connections WHERE status IN ('active','error')`);
    expect(live.length).toBeGreaterThan(0);
    const kept = live[0].terra_user_id;
    terra.addUser({ user_id: kept, provider: 'WHOOP' });

    const res = await api.request('POST', '/v1/admin/reconcile', { key: TEST_ADMIN_KEY });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'queued', job_id: expect.any(String) });
    const created = await waitFor(() => connection(unknown.user_id), { describe: 'the unknown Terra user to be created' });
    expect(created).toMatchObject({ status: 'active', provider: 'POLAR', reference_id: 'found-later', scopes: ['x', 'y'] });
    expect(await connection(kept)).toMatchObject({ status: expect.stringMatching(/active|error/) });
    for (const { terra_user_id } of live.slice(1)) {
      expect(await connection(terra_user_id)).toMatchObject({ status: 'disconnected', status_reason: 'not found at Terra during reconciliation' });
    }
  });
});
