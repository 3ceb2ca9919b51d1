import {
  createTestDatabase,
  FakeTerraServer,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApiAgainstFakeTerra, type ApiUnderTest } from './connections-api.harness';

const ROWS = 3_000;
const userId = (n: number) => `user-${String(n).padStart(5, '0')}`;

/** GET /v1/connections (filters, keyset pagination) and GET /v1/connections/:terra_user_id (incl. refresh). */
describe('read API (real API, real Postgres)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  let api: ApiUnderTest;

  async function pageThrough(query: string, limit: number, from: string | null = null): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = from;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await api.request('GET', `/v1/connections?limit=${limit}${query}${suffix}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      ids.push(...res.body.data.map((c: { terra_user_id: string }) => c.terra_user_id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 1_000);
    return { ids, pages };
  }

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_read'), FakeTerraServer.start()]);
    // One statement: ids ascend with n, so terra_user_id order = id order. 7 people, 3 providers, every
    // 10th row disconnected.
    await db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, scopes, connected_at)
       SELECT 'user-' || lpad(n::text, 5, '0'), 'person-' || (n % 7), (ARRAY['FITBIT','GARMIN','OURA'])[1 + n % 3],
              CASE WHEN n % 10 = 0 THEN 'disconnected' ELSE 'active' END, ARRAY['activity','sleep'],
              timestamptz '2026-01-01T00:00:00Z' + n * interval '1 minute'
         FROM generate_series(1, $1::int) AS n`,
      [ROWS],
    );
    api = await startApiAgainstFakeTerra(db, fake);
  });
  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await db?.drop();
  });
  beforeEach(() => fake.reset());

  describe('GET /v1/connections', () => {
    it('returns every row exactly once, in a stable order, across pages', async () => {
      const { ids, pages } = await pageThrough('', 200);
      expect(pages).toBe(ROWS / 200);
      expect(ids).toHaveLength(ROWS);
      expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => userId(i + 1)));
    });

    it('stays exact when rows are inserted while a client pages', async () => {
      const first = await api.request('GET', '/v1/connections?limit=500');
      await db.dataSource.query(
        `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status) VALUES ('late-1', 'person-late', 'OURA', 'active')`,
      );
      const rest = await pageThrough('', 500, first.body.next_cursor);
      const ids = [...first.body.data.map((c: { terra_user_id: string }) => c.terra_user_id), ...rest.ids];
      expect(ids).toHaveLength(ROWS + 1);
      expect(new Set(ids).size).toBe(ROWS + 1);
      expect(ids[ids.length - 1]).toBe('late-1');
      await db.dataSource.query(`DELETE FROM terra_connections WHERE terra_user_id = 'late-1'`);
    });

    it('applies reference_id, provider and status filters on every page', async () => {
      const expected: Array<{ terra_user_id: string }> = await db.dataSource.query(
        `SELECT terra_user_id FROM terra_connections
          WHERE reference_id = 'person-3' AND provider = 'GARMIN' AND status = 'active' ORDER BY id`,
      );
      expect(expected.length).toBeGreaterThan(100);

      const { ids, pages } = await pageThrough('&reference_id=person-3&provider=garmin&status=active', 37);

      expect(ids).toEqual(expected.map((r) => r.terra_user_id));
      expect(pages).toBe(Math.ceil(expected.length / 37));
    });

    it('filters by status alone', async () => {
      const { ids } = await pageThrough('&status=disconnected', 200);
      expect(ids).toEqual(Array.from({ length: ROWS / 10 }, (_, i) => userId((i + 1) * 10)));
    });

    it('answers an empty page with next_cursor null when nothing matches', async () => {
      const res = await api.request('GET', '/v1/connections?reference_id=nobody');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [], next_cursor: null });
    });

    it('defaults limit to 50 and caps it at 200', async () => {
      const byDefault = await api.request('GET', '/v1/connections');
      const capped = await api.request('GET', '/v1/connections?limit=5000');
      expect(byDefault.body.data).toHaveLength(50);
      expect(capped.body.data).toHaveLength(200);
      expect(capped.body.next_cursor).toEqual(expect.any(String));
    });

    it('returns the Connection shape', async () => {
      const res = await api.request('GET', '/v1/connections?limit=1');
      expect(res.body.data[0]).toEqual({
        connection_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        terra_user_id: 'user-00001',
        terra_user_ids: ['user-00001'],
        reference_id: 'person-1',
        provider: 'GARMIN',
        status: 'active',
        scopes: ['activity', 'sleep'],
        connected_at: '2026-01-01T00:01:00.000Z',
        disconnected_at: null,
        last_webhook_at: null,
        last_sync_at: null,
        status_reason: null,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        freshness: 'unknown',
        last_data_at: null,
      });
    });

    it('freshness=stale lists only the stale connections, keyset-paged like every listing', async () => {
      const stale = ['user-00004', 'user-00017', 'user-00503', 'user-02999'];
      await db.dataSource.query(`UPDATE terra_connections SET freshness = 'stale', stale_since = now() WHERE terra_user_id = ANY($1)`, [stale]);
      try {
        const { ids, pages } = await pageThrough('&freshness=stale', 3);
        expect(ids).toEqual(stale);
        expect(pages).toBe(2);
        expect((await pageThrough('&freshness=stale&reference_id=person-3', 10)).ids).toEqual(['user-00017', 'user-02999']);
        const res = await api.request('GET', '/v1/connections?freshness=stale&limit=1');
        expect(res.body.data[0]).toMatchObject({ terra_user_id: 'user-00004', freshness: 'stale' });
      } finally {
        await db.dataSource.query(`UPDATE terra_connections SET freshness = 'unknown', stale_since = NULL WHERE terra_user_id = ANY($1)`, [stale]);
      }
    });

    it.each([
      ['?limit=0', 'limit must not be less than 1'],
      ['?limit=abc', 'limit must be an integer'],
      ['?status=sleeping', 'status must be one of active, error, revoked, disconnected'],
      ['?status=replaced', 'status=replaced matches no connection: a reconnect replaces a Terra user id, never the connection'],
      ['?provider=fit%20bit', 'provider must be a Terra provider name'],
      ['?cursor=garbage', 'cursor is not valid'],
      [`?cursor=${Buffer.from('1; DROP TABLE x').toString('base64url')}`, 'cursor is not valid'],
      ['?page=2', 'property page should not exist'],
      ['?freshness=rotten', 'freshness must be one of fresh, stale, unknown'],
    ])('answers 400 naming the parameter for %s', async (query, message) => {
      const res = await api.request('GET', `/v1/connections${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(message);
    });
  });

  describe('GET /v1/connections/:terra_user_id', () => {
    it('returns one connection without asking Terra', async () => {
      const res = await api.request('GET', '/v1/connections/user-00010');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ terra_user_id: 'user-00010', status: 'disconnected', provider: 'GARMIN', freshness_types: [] });
      expect(fake.requests).toHaveLength(0);
    });

    it('shows the freshness of each data type the connection has sent', async () => {
      const [{ connection_id: connectionId }] = await db.dataSource.query(`SELECT connection_id FROM terra_connections WHERE terra_user_id = 'user-00011'`);
      await db.dataSource.query(
        `INSERT INTO connection_data_freshness (connection_id, type, last_received_at, last_data_time, arrivals, gaps_ms) VALUES
           ($1, 'sleep', now() - interval '1 hour', '2026-12-01T07:00:00Z', 9, '{43200000,43200000,43200000,43200000,43200000,43200000}'),
           ($1, 'body', now() - interval '30 days', NULL, 1, '{}')`,
        [connectionId],
      );
      const res = await api.request('GET', '/v1/connections/user-00011');
      expect(res.status).toBe(200);
      expect(res.body.freshness_types).toEqual([
        // One reading: no rhythm yet, its silence does not count; the default window.
        { type: 'body', last_received_at: expect.any(String), last_data_time: null, window_ms: 259_200_000, learned: false, expected: false, overdue: true },
        // Twice a day: 3 x the median gap.
        { type: 'sleep', last_received_at: expect.any(String), last_data_time: '2026-12-01T07:00:00.000Z', window_ms: 129_600_000, learned: true, expected: true, overdue: false },
      ]);
    });

    it('answers 404 with a JSON error for an unknown id', async () => {
      const res = await api.request('GET', '/v1/connections/8a1f4f0e-0000-4000-8000-000000000000');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'No connection with connection_id or terra_user_id 8a1f4f0e-0000-4000-8000-000000000000',
      });
    });

    it('answers 400 to an id that cannot be a Terra user id', async () => {
      for (const id of ['x'.repeat(65), 'é'.repeat(65), 'tab\there']) {
        const res = await api.request('GET', `/v1/connections/${encodeURIComponent(id)}`);
        expect({ id, status: res.status }).toEqual({ id, status: 400 });
        expect(res.body.message).toContain('connection_id or a Terra user id');
      }
    });

    it('finds a connection by any Terra user id the webhook route stores, not only UUID-like ones', async () => {
      const id = `odd.id+1@sandbox:ü/${'é'.repeat(40)}`;
      await db.dataSource.query(`INSERT INTO terra_connections (terra_user_id, reference_id, provider, status) VALUES ($1, 'person-odd', 'OURA', 'active')`, [id]);
      try {
        const res = await api.request('GET', `/v1/connections/${encodeURIComponent(id)}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ terra_user_id: id, reference_id: 'person-odd' });
      } finally {
        await db.dataSource.query(`DELETE FROM terra_connections WHERE terra_user_id = $1`, [id]);
      }
    });

    it('answers 400 to refresh=maybe', async () => {
      const res = await api.request('GET', '/v1/connections/user-00001?refresh=maybe');
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('refresh');
    });
  });

  describe('GET /v1/connections/:terra_user_id?refresh=true', () => {
    async function insert(terraUserId: string, fields = `'person-r', 'FITBIT', 'active'`) {
      await db.dataSource.query(
        `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status) VALUES ($1, ${fields})`,
        [terraUserId],
      );
    }

    it('updates provider, reference id, scopes and last webhook time from Terra\'s userInfo', async () => {
      await insert('refresh-1', `NULL, 'FITBIT', 'active'`);
      fake.addUser({
        user_id: 'refresh-1',
        provider: 'FITBIT',
        reference_id: 'person-r',
        scopes: 'activity,heartrate,sleep',
        last_webhook_update: '2026-11-04T07:57:31.204000+00:00',
        active: true,
      });

      const res = await api.request('GET', '/v1/connections/refresh-1?refresh=true');

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        terra_user_id: 'refresh-1',
        reference_id: 'person-r',
        status: 'active',
        scopes: ['activity', 'heartrate', 'sleep'],
        last_webhook_at: '2026-11-04T07:57:31.204Z',
      });
      expect(fake.requestsTo('userInfo')[0].query).toEqual({ user_id: 'refresh-1' });
      const [row] = await db.dataSource.query(`SELECT scopes, reference_id FROM terra_connections WHERE terra_user_id = 'refresh-1'`);
      expect(row).toEqual({ scopes: ['activity', 'heartrate', 'sleep'], reference_id: 'person-r' });
    });

    it('marks the connection error when Terra reports it inactive, and active again when Terra does', async () => {
      await insert('refresh-2');
      fake.addUser({ user_id: 'refresh-2', provider: 'FITBIT', reference_id: 'person-r', active: false });

      const inactive = await api.request('GET', '/v1/connections/refresh-2?refresh=true');
      fake.users.get('refresh-2')!.active = true;
      const active = await api.request('GET', '/v1/connections/refresh-2?refresh=true');

      expect(inactive.body).toMatchObject({ status: 'error', status_reason: expect.stringContaining('inactive') });
      expect(active.body).toMatchObject({ status: 'active', status_reason: null });
    });

    it('marks the connection disconnected, with the reason, when Terra no longer knows the user', async () => {
      await insert('refresh-3');
      const res = await api.request('GET', '/v1/connections/refresh-3?refresh=true');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'disconnected',
        status_reason: expect.stringContaining('Terra no longer knows this user'),
        disconnected_at: expect.any(String),
      });
    });

    it('answers 404 for an unknown id without asking Terra', async () => {
      const res = await api.request('GET', '/v1/connections/nobody-here?refresh=true');
      expect(res.status).toBe(404);
      expect(fake.requests).toHaveLength(0);
    });

    it('never brings a revoked connection back, even when Terra still lists the user as active', async () => {
      await insert('refresh-5', `'person-r', 'FITBIT', 'revoked'`);
      fake.addUser({ user_id: 'refresh-5', provider: 'FITBIT', reference_id: 'person-r', active: true });
      const res = await api.request('GET', '/v1/connections/refresh-5?refresh=true');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('revoked');
    });

    it('leaves the row untouched and answers 502 when Terra fails', async () => {
      await insert('refresh-4');
      fake.fail('userInfo', { status: 500 });
      const before = await api.request('GET', '/v1/connections/refresh-4');
      const res = await api.request('GET', '/v1/connections/refresh-4?refresh=true');
      const after = await api.request('GET', '/v1/connections/refresh-4');
      expect(res.status).toBe(502);
      expect(after.body).toEqual(before.body);
    });
  });
});
