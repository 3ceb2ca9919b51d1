import {
  createTestDatabase,
  FakeTerraServer,
  type TestDatabase,
} from '@terra-connections/testing';
import { lockTerraUser } from '@terra-connections/persistence';
import { startApiAgainstFakeTerra, type ApiUnderTest } from './connections-api.harness';

/** DELETE /v1/connections/:terra_user_id: Terra first, then status + health data deletion in one transaction. */
describe('disconnect API (real API, real Postgres, real SDK against a fake Terra)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  let api: ApiUnderTest;

  async function givenConnection(terraUserId: string, healthRows = 3): Promise<void> {
    await db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, connected_at)
       VALUES ($1, 'person-d', 'GARMIN', 'active', now())`,
      [terraUserId],
    );
    await db.dataSource.query(
      `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, payload, event_at)
       SELECT tc_connection_uuid($1), $1, 'daily', '2026-11-' || lpad(n::text, 2, '0'), '{"steps": 1000}'::jsonb, now()
         FROM generate_series(1, $2::int) AS n`,
      [terraUserId, healthRows],
    );
  }

  async function healthRows(terraUserId: string): Promise<number> {
    const [{ count }] = await db.dataSource.query('SELECT count(*)::int AS count FROM health_data WHERE terra_user_id = $1', [
      terraUserId,
    ]);
    return count;
  }

  async function status(terraUserId: string): Promise<string> {
    const [row] = await db.dataSource.query('SELECT status FROM terra_connections WHERE terra_user_id = $1', [terraUserId]);
    return row.status;
  }

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_disconnect'), FakeTerraServer.start()]);
    api = await startApiAgainstFakeTerra(db, fake);
  });
  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    fake.reset();
    await db.dataSource.query('TRUNCATE terra_connections, health_data, webhook_events');
  });

  it('deauthenticates at Terra, marks the row disconnected and deletes only that connection\'s health data', async () => {
    await givenConnection('del-1', 3);
    await givenConnection('keep-1', 2);
    fake.addUser({ user_id: 'del-1', provider: 'GARMIN', reference_id: 'person-d' });

    const res = await api.request('DELETE', '/v1/connections/del-1');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      terra_user_id: 'del-1',
      status: 'disconnected',
      status_reason: 'disconnected via API',
      disconnected_at: expect.any(String),
    });
    expect(fake.requestsTo('deauthenticateUser').map((r) => r.query)).toEqual([{ user_id: 'del-1' }]);
    expect(fake.users.has('del-1')).toBe(false);
    expect(await healthRows('del-1')).toBe(0);
    expect(await healthRows('keep-1')).toBe(2);
    expect(await status('keep-1')).toBe('active');
    const [row] = await db.dataSource.query(
      `SELECT status_changed_at IS NOT NULL AS changed FROM terra_connections WHERE terra_user_id = 'del-1'`,
    );
    expect(row.changed).toBe(true);
  });

  it('empties the raw payloads the inbox kept for that connection, keeping the rows (and their dedup keys)', async () => {
    await givenConnection('del-inbox');
    await givenConnection('keep-inbox');
    fake.addUser({ user_id: 'del-inbox', provider: 'GARMIN' });
    for (const [key, user, status] of [
      ['k1', 'del-inbox', 'processed'],
      ['k2', 'del-inbox', 'processed'],
      ['k3', 'keep-inbox', 'processed'],
    ]) {
      await db.dataSource.query(
        `INSERT INTO webhook_events (dedup_key, type, terra_user_id, event_at, payload, status)
         VALUES ($1, 'daily', $2, now(), '{"type":"daily","data":[{"steps":4242}]}'::jsonb, $3)`,
        [key, user, status],
      );
    }

    expect((await api.request('DELETE', '/v1/connections/del-inbox')).status).toBe(200);

    const rows: { dedup_key: string; payload: unknown }[] = await db.dataSource.query(
      'SELECT dedup_key, payload FROM webhook_events ORDER BY dedup_key',
    );
    expect(rows).toEqual([
      { dedup_key: 'k1', payload: {} },
      { dedup_key: 'k2', payload: {} },
      { dedup_key: 'k3', payload: { type: 'daily', data: [{ steps: 4242 }] } },
    ]);
  });

  it('is idempotent: a second DELETE answers the same body without calling Terra again', async () => {
    await givenConnection('del-2');
    fake.addUser({ user_id: 'del-2', provider: 'GARMIN' });

    const first = await api.request('DELETE', '/v1/connections/del-2');
    const second = await api.request('DELETE', '/v1/connections/del-2');

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(fake.requestsTo('deauthenticateUser')).toHaveLength(1);
  });

  it('still disconnects locally when Terra answers 404 (already gone there)', async () => {
    await givenConnection('del-3', 4);

    const res = await api.request('DELETE', '/v1/connections/del-3');

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('disconnected');
    expect(fake.requestsTo('deauthenticateUser')).toHaveLength(1);
    expect(await healthRows('del-3')).toBe(0);
  });

  it('answers 404 for an unknown id without calling Terra', async () => {
    const res = await api.request('DELETE', '/v1/connections/no-such-user');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    { terra: 500, ours: 502 },
    { terra: 403, ours: 502 },
    { terra: 400, ours: 400 },
  ])('keeps the connection and its data when Terra answers $terra (we answer $ours)', async ({ terra, ours }) => {
    await givenConnection('del-4', 2);
    fake.addUser({ user_id: 'del-4', provider: 'GARMIN' });
    fake.fail('deauthenticateUser', { status: terra });

    const res = await api.request('DELETE', '/v1/connections/del-4');

    expect(res.status).toBe(ours);
    expect(await status('del-4')).toBe('active');
    expect(await healthRows('del-4')).toBe(2);
  });

  it('keeps the connection when Terra times out (504), and a retry then succeeds', async () => {
    await givenConnection('del-5', 1);
    fake.addUser({ user_id: 'del-5', provider: 'GARMIN' });
    fake.fail('deauthenticateUser', { delayMs: 1_500, times: 1 });

    const timedOut = await api.request('DELETE', '/v1/connections/del-5');
    expect(timedOut.status).toBe(504);
    expect(await status('del-5')).toBe('active');

    const retried = await api.request('DELETE', '/v1/connections/del-5');
    expect(retried.status).toBe(200);
    expect(await healthRows('del-5')).toBe(0);
  });

  it('needs the API key', async () => {
    await givenConnection('del-6');
    const res = await api.request('DELETE', '/v1/connections/del-6', { key: null });
    expect(res.status).toBe(401);
    expect(await status('del-6')).toBe('active');
  });

  it('answers 409 after a bounded wait while another transaction holds the connection, and disconnects once it is free', async () => {
    await givenConnection('busy-1', 2);
    fake.addUser({ user_id: 'busy-1', provider: 'GARMIN', reference_id: 'person-d' });
    // A long apply of a data event holds the Terra user's lock, as the worker does.
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await lockTerraUser(holder.manager, 'busy-1');
      const busy = await api.request('DELETE', '/v1/connections/busy-1');
      expect({ status: busy.status, message: busy.body.message }).toEqual({ status: 409, message: expect.stringContaining('being updated by another operation') });
      expect(await status('busy-1')).toBe('active');
      // Reads do not wait on the lock.
      expect((await api.request('GET', '/v1/connections/busy-1')).status).toBe(200);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    fake.addUser({ user_id: 'busy-1', provider: 'GARMIN', reference_id: 'person-d' });
    expect((await api.request('DELETE', '/v1/connections/busy-1')).status).toBe(200);
    expect(await status('busy-1')).toBe('disconnected');
    expect(await healthRows('busy-1')).toBe(0);
  }, 30_000);
});
