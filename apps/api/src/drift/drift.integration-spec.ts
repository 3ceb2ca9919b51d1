import { randomUUID } from 'node:crypto';
import { createTestDatabase, TEST_ADMIN_KEY, TEST_API_KEY, testEnv, type TestDatabase } from '@terra-connections/testing';
import { startApi, type ApiUnderTest } from '../connections/connections-api.harness';

/** GET /v1/admin/drift over rows as reconciliation records them (real API, real Postgres). */
describe('GET /v1/admin/drift', () => {
  let db: TestDatabase;
  let api: ApiUnderTest;
  const ids: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('api_drift');
    api = await startApi(testEnv({ DATABASE_URL: db.url }), TEST_ADMIN_KEY);
    const kinds = ['missed_deauth', 'missed_auth', 'missed_deauth', 'status_mismatch', 'missed_deauth'];
    for (const [n, kind] of kinds.entries()) {
      const terraUserId = randomUUID();
      ids.push(terraUserId);
      await db.dataSource.query(
        `INSERT INTO connection_drift (kind, terra_user_id, ours, terra, detected_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)`,
        [kind, terraUserId, JSON.stringify({ status: 'active' }), kind === 'missed_deauth' ? null : JSON.stringify({ active: true }), new Date(Date.UTC(2026, 11, 1 + n))],
      );
    }
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  async function all(query: string, limit: number): Promise<{ terra_user_id: string; kind: string }[]> {
    const rows: { terra_user_id: string; kind: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: { terra_user_id: string; kind: string }[]; next_cursor: string | null } } = await api.request('GET', `/v1/admin/drift?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['data', 'next_cursor']);
      rows.push(...res.body.data);
      cursor = res.body.next_cursor;
    } while (cursor);
    return rows;
  }

  it('pages every correction oldest first, filtered by kind and by since', async () => {
    expect((await all('', 2)).map((row) => row.terra_user_id)).toEqual(ids);
    expect((await all('&kind=missed_deauth', 1)).map((row) => row.terra_user_id)).toEqual([ids[0], ids[2], ids[4]]);
    expect((await all('&since=2026-12-03T00:00:00Z', 10)).map((row) => row.terra_user_id)).toEqual(ids.slice(2));
    expect(await all('&since=2026-12-04T00:00:00Z&kind=missed_auth', 10)).toEqual([]);
    expect(await all('&since=2027-01-01T00:00:00Z', 10)).toEqual([]);
  });

  it('returns the drift shape', async () => {
    const res = await api.request('GET', '/v1/admin/drift?limit=1');
    expect(res.body.data[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      kind: 'missed_deauth',
      connection_id: null,
      terra_user_id: ids[0],
      ours: { status: 'active' },
      terra: null,
      detected_at: '2026-12-01T00:00:00.000Z',
    });
  });

  it('is for admin keys only', async () => {
    // A service key is no admin key: refused like no key at all.
    expect((await api.request('GET', '/v1/admin/drift', { key: TEST_API_KEY })).status).toBe(401);
    expect((await api.request('GET', '/v1/admin/drift', { key: null })).status).toBe(401);
  });

  it.each(['0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00', '9999-12-31T23:59:59.999Z', '2026-12-01'])('answers since=%s below 500', async (since) => {
    const res = await api.request('GET', `/v1/admin/drift?since=${encodeURIComponent(since)}`);
    expect([200, 400]).toContain(res.status);
  });

  it.each([
    ['?kind=lost', 'kind must be one of missed_deauth, missed_auth, unknown_terra_user, status_mismatch, reference_mismatch'],
    ['?since=yesterday', 'since must be an ISO-8601 date-time'],
    ['?cursor=garbage', 'cursor is not valid'],
    ['?limit=0', 'limit must not be less than 1'],
  ])('answers 400 naming the parameter for %s', async (query, message) => {
    const res = await api.request('GET', `/v1/admin/drift${query}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });
});
