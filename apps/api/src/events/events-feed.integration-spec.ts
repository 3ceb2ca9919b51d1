import { randomUUID } from 'node:crypto';
import { createTestDatabase, FakeTerraServer, TEST_ADMIN_KEY, TEST_PG_ADMIN_URL, type TestDatabase } from '@terra-connections/testing';
import { Client } from 'pg';
import { startApiAgainstFakeTerra, type ApiUnderTest } from '../connections/connections-api.harness';

/** GET /v1/events over real HTTP: the envelope, filters, keyset pages and the tail cursor. */
describe('GET /v1/events (real API, real Postgres)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  let api: ApiUnderTest;
  const connectionId = randomUUID();

  const insert = (type: string, reference: string, data: object, sequence: number | null = null, connection: string | null = null) =>
    db.dataSource.query(
      `INSERT INTO events (type, occurred_at, connection_id, terra_user_id, reference_id, provider, sequence, data)
       VALUES ($1, '2026-11-05T10:00:00Z', $2, 'terra-1', $3, 'OURA', $4, $5::jsonb)`,
      [type, connection, reference, sequence, JSON.stringify(data)],
    );

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_events_feed'), FakeTerraServer.start()]);
    for (let n = 1; n <= 5; n += 1) await insert(n % 2 ? 'connection.connected' : 'data.received', 'p1', { n }, n, connectionId);
    await insert('connection.attempt_failed', 'p2', { reason: 'user_denied' });
    api = await startApiAgainstFakeTerra(db, fake);
  });
  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await db?.drop();
  });

  it('pages oldest first with the Standard Webhooks envelope and a next_cursor on every page, then tails', async () => {
    const seen: { id: string; type: string; timestamp: string; data: Record<string, unknown> }[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page += 1) {
      const res = await api.request('GET', `/v1/events?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(typeof res.body.next_cursor).toBe('string');
      cursor = res.body.next_cursor;
      if (res.body.data.length === 0) break;
      seen.push(...res.body.data);
    }
    expect(seen.map((event) => event.data.n ?? event.data.reason)).toEqual([1, 2, 3, 4, 5, 'user_denied']);
    expect(seen[0]).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'connection.connected',
      timestamp: '2026-11-05T10:00:00.000Z',
      data: { connection_id: connectionId, terra_user_id: 'terra-1', reference_id: 'p1', provider: 'OURA', sequence: 1, n: 1 },
    });
    await insert('connection.revoked', 'p1', { n: 6 }, 6, connectionId);
    const tail = await api.request('GET', `/v1/events?cursor=${encodeURIComponent(cursor)}`);
    expect(tail.body.data.map((event: { data: { n: number } }) => event.data.n)).toEqual([6]);
  });

  it('filters by types, reference_id and connection_id', async () => {
    const byType = await api.request('GET', '/v1/events?types=data.received,connection.attempt_failed');
    expect(byType.body.data.map((event: { type: string }) => event.type)).toEqual(['data.received', 'data.received', 'connection.attempt_failed']);
    const byReference = await api.request('GET', '/v1/events?reference_id=p2');
    expect(byReference.body.data).toHaveLength(1);
    const byConnection = await api.request('GET', `/v1/events?connection_id=${connectionId}&types=connection.connected`);
    expect(byConnection.body.data.map((event: { data: { sequence: number } }) => event.data.sequence)).toEqual([1, 3, 5]);
  });

  it('refuses an unknown type, a bad connection_id or cursor (400), and a missing key (401)', async () => {
    expect((await api.request('GET', '/v1/events?types=connection.exploded')).status).toBe(400);
    expect((await api.request('GET', '/v1/events?connection_id=nope')).status).toBe(400);
    expect((await api.request('GET', '/v1/events?cursor=abc')).status).toBe(400);
    expect((await fetch(`${api.url}/v1/events`)).status).toBe(401);
  });

  it("serves Terra's inbound delivery history at /terra-deliveries, the old /webhook-events and /events paths as aliases", async () => {
    await db.dataSource.query(`INSERT INTO terra_connections (terra_user_id, reference_id, provider, status) VALUES ('terra-alias', 'p3', 'OURA', 'active')`);
    await db.dataSource.query(
      `INSERT INTO webhook_events (dedup_key, type, event_at, payload, status, terra_user_id) VALUES ('alias-1', 'daily', now(), '{}', 'processed', 'terra-alias')`,
    );
    const admin = { key: TEST_ADMIN_KEY };
    const renamed = await api.request('GET', '/v1/terra-deliveries', admin);
    const legacy = await api.request('GET', '/v1/webhook-events', admin);
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.map((row: { type: string }) => row.type)).toEqual(['daily']);
    expect(legacy.body).toEqual(renamed.body);
    const ofConnection = await api.request('GET', '/v1/connections/terra-alias/terra-deliveries');
    expect(ofConnection.body.data).toHaveLength(1);
    expect((await api.request('GET', '/v1/connections/terra-alias/events')).body).toEqual(ofConnection.body);
    expect((await api.request('GET', '/v1/terra-deliveries')).status).toBe(401); // a service key is not an admin key
  });

  it('is not held back by a long transaction that writes no event; an event writer still open holds it without a skip', async () => {
    const tail = async (cursor: string) => {
      const res = await api.request('GET', `/v1/events?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(200);
      return { ns: res.body.data.map((event: { data: { n: number } }) => event.data.n), next: res.body.next_cursor as string };
    };
    let cursor = (await api.request('GET', '/v1/events?limit=500')).body.next_cursor as string;
    const [elsewhere, writer] = [new Client({ connectionString: TEST_PG_ADMIN_URL }), new Client({ connectionString: db.url })];
    await Promise.all([elsewhere.connect(), writer.connect()]);
    try {
      // A writing transaction left open in another database of the same server (the snapshot's xmin would wait for it).
      await elsewhere.query(`BEGIN; SELECT pg_current_xact_id()`);
      await insert('data.received', 'p9', { n: 100 });
      const first = await tail(cursor);
      expect(first.ns).toEqual([100]);
      cursor = first.next;

      // An event writer that drew its id, then a later event that committed first: neither shows until the writer ends.
      await writer.query(`BEGIN`);
      await writer.query(`INSERT INTO events (type, occurred_at, reference_id, data) VALUES ('data.received', now(), 'p9', '{"n":101}')`);
      await insert('data.received', 'p9', { n: 102 });
      const held = await tail(cursor);
      expect(held.ns).toEqual([]);
      expect(held.next).toBe(cursor);
      await writer.query(`COMMIT`);
      expect((await tail(cursor)).ns).toEqual([101, 102]);
    } finally {
      await elsewhere.query(`ROLLBACK`).catch(() => undefined);
      await Promise.all([elsewhere.end(), writer.end()]);
    }
  });
});
