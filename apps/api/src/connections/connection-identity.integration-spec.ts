import { randomUUID } from 'node:crypto';
import { ConnectionStateTx, type ConnectionGrant } from '@terra-connections/connections';
import { createTestDatabase, FakeTerraServer, type TestDatabase } from '@terra-connections/testing';
import { startApiAgainstFakeTerra, type ApiUnderTest } from './connections-api.harness';

const T0 = Date.parse('2026-06-01T09:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/**
 * Every /v1/connections/{id} route takes a connection_id or any of the connection's Terra user ids and acts
 * on the connection; the listing shows connections, one row each (issue 11). Chains are written through the
 * state module, as the worker writes them.
 */
describe('connection identity through the API (real API, real Postgres, real SDK against a fake Terra)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  let api: ApiUnderTest;

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_identity'), FakeTerraServer.start()]);
    api = await startApiAgainstFakeTerra(db, fake);
  });
  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await db?.drop();
  });
  beforeEach(() => fake.reset());

  const grant = (terraUserId: string, referenceId: string, provider = 'OURA'): ConnectionGrant => ({ terraUserId, provider, referenceId, scopes: ['sleep'] });
  const inTx = (work: (state: ConnectionStateTx) => Promise<unknown>) =>
    db.dataSource.transaction((tx) => work(new ConnectionStateTx(tx, { kind: 'webhook', eventId: '1', eventType: 'test' })));

  /** A -> B -> C for one person, with a day of data under the connection; returns the ids. */
  async function givenChain(referenceId: string, provider = 'OURA') {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await inTx((state) => state.activate(grant(a, referenceId, provider), at(0)));
    await inTx((state) => state.replace(grant(b, referenceId, provider), grant(a, referenceId, provider), at(10)));
    await inTx((state) => state.replace(grant(c, referenceId, provider), grant(b, referenceId, provider), at(20)));
    const [{ connection_id: connectionId }] = await db.dataSource.query(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [a]);
    await db.dataSource.query(
      `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, date, payload, event_at)
       VALUES ($1, $2, 'daily', '2026-06-01', '2026-06-01', '{"steps": 1}', now())`,
      [connectionId, c],
    );
    return { a, b, c, connectionId: connectionId as string };
  }

  it('GET by connection_id or by any Terra id answers the same connection: current id, every id oldest first, never replaced', async () => {
    const { a, b, c, connectionId } = await givenChain(`p-${randomUUID()}`);
    for (const id of [connectionId, a, b, c]) {
      const res = await api.request('GET', `/v1/connections/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ connection_id: connectionId, terra_user_id: c, terra_user_ids: [a, b, c], status: 'active' });
      expect(res.body).not.toHaveProperty('replaced_by');
    }
    const data = await api.request('GET', `/v1/connections/${a}/data`);
    expect(data.body.data.map((item: { date: string }) => item.date)).toEqual(['2026-06-01']);
  });

  it('a connection id folded into another by an out-of-order reauth still names the connection', async () => {
    const referenceId = `p-${randomUUID()}`;
    const [a, b] = [randomUUID(), randomUUID()];
    await inTx((state) => state.activate(grant(b, referenceId), at(10))); // B's auth first: B's own connection
    const early = (await api.request('GET', `/v1/connections/${b}`)).body.connection_id;
    await inTx((state) => state.activate(grant(a, referenceId), at(0)));
    await inTx((state) => state.replace(grant(b, referenceId), grant(a, referenceId), at(10)));
    const res = await api.request('GET', `/v1/connections/${early}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ terra_user_ids: [a, b], terra_user_id: b });
    expect(res.body.connection_id).not.toBe(early);
  });

  it('DELETE through an old id deauthenticates and disconnects the current id and erases the connection\'s data', async () => {
    const { a, c, connectionId } = await givenChain(`p-${randomUUID()}`);
    fake.addUser({ user_id: c, provider: 'OURA', reference_id: 'x' });
    const res = await api.request('DELETE', `/v1/connections/${a}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connection_id: connectionId, terra_user_id: c, status: 'disconnected', status_reason: 'disconnected via API' });
    expect(fake.requestsTo('deauthenticateUser').map((r) => r.query)).toEqual([{ user_id: c }]);
    const rows = await db.dataSource.query(`SELECT terra_user_id, status FROM terra_connections WHERE connection_id = $1 ORDER BY chain_position`, [connectionId]);
    expect(rows.map((row: { status: string }) => row.status)).toEqual(['replaced', 'replaced', 'disconnected']);
    expect((await db.dataSource.query(`SELECT count(*)::int AS n FROM health_data WHERE connection_id = $1`, [connectionId]))[0].n).toBe(0);
    // Idempotent through any id: no second call to Terra.
    expect((await api.request('DELETE', `/v1/connections/${connectionId}`)).body).toMatchObject({ status: 'disconnected' });
    expect(fake.requestsTo('deauthenticateUser')).toHaveLength(1);
  });

  it('refresh through an old id asks Terra about the current id and updates it', async () => {
    const { b, c, connectionId } = await givenChain(`p-${randomUUID()}`);
    fake.addUser({ user_id: c, provider: 'OURA', reference_id: 'x', scopes: 'sleep,heartrate', active: false });
    const res = await api.request('GET', `/v1/connections/${b}?refresh=true`);
    expect(res.status).toBe(200);
    expect(fake.requestsTo('userInfo').map((r) => r.query)).toEqual([{ user_id: c }]);
    expect(res.body).toMatchObject({ connection_id: connectionId, terra_user_id: c, status: 'error', scopes: ['sleep', 'heartrate'] });
  });

  it('lists connections one row each, with reference, provider and status filters, across pages; status=replaced is a 400 saying why', async () => {
    const referenceId = `p-${randomUUID()}`;
    const first = await givenChain(referenceId, 'OURA');
    const second = await givenChain(referenceId, 'GARMIN');
    const lone = randomUUID();
    await inTx((state) => state.activate(grant(lone, referenceId, 'OURA'), at(0)));
    await inTx((state) => state.disconnect(grant(lone, referenceId, 'OURA'), 'deauthenticated', at(5)));

    const all = await api.request('GET', `/v1/connections?reference_id=${referenceId}`);
    expect(all.body.data.map((item: { terra_user_id: string }) => item.terra_user_id)).toEqual([first.c, second.c, lone]);
    const paged = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { connection_id: string }[]; next_cursor: string | null } } = await api.request(
        'GET',
        `/v1/connections?reference_id=${referenceId}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      paged.push(...page.body.data.map((item) => item.connection_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all.body.data.map((item: { connection_id: string }) => item.connection_id));

    const ids = async (query: string) =>
      (await api.request('GET', `/v1/connections?reference_id=${referenceId}&${query}`)).body.data.map((item: { terra_user_id: string }) => item.terra_user_id);
    expect(await ids('provider=GARMIN')).toEqual([second.c]);
    expect(await ids('status=active')).toEqual([first.c, second.c]);
    expect(await ids('status=disconnected')).toEqual([lone]);
    expect(await ids('status=active&provider=OURA')).toEqual([first.c]);

    const refused = await api.request('GET', `/v1/connections?reference_id=${referenceId}&status=replaced`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('a reconnect replaces a Terra user id, never the connection');
  });

  it('the connection\'s delivery history covers every one of its Terra ids', async () => {
    const { a, c, connectionId } = await givenChain(`p-${randomUUID()}`);
    for (const id of [a, c]) {
      await db.dataSource.query(
        `INSERT INTO webhook_events (dedup_key, type, terra_user_id, event_at, payload, status) VALUES ($1, 'daily', $2, now(), '{}', 'processed')`,
        [randomUUID(), id],
      );
    }
    const res = await api.request('GET', `/v1/connections/${connectionId}/events`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((item: { terra_user_id: string }) => item.terra_user_id)).toEqual([c, a]);
  });

  it("a Terra user id equal to another connection's connection_id never makes a route act on that other connection", async () => {
    const victim = await givenChain(`victim-${randomUUID()}`);
    const other = `other-${randomUUID()}`;
    // A signed body can carry any user_id: here the victim's connection_id.
    await inTx((state) => state.activate(grant(victim.connectionId, other, 'GARMIN'), at(30)));
    const res = await api.request('GET', `/v1/connections/${victim.connectionId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connection_id: victim.connectionId, terra_user_id: victim.c, reference_id: expect.stringMatching(/^victim-/) });
    const data = await api.request('GET', `/v1/connections/${victim.connectionId}/data`);
    expect(data.body.data.map((item: { date: string }) => item.date)).toEqual(['2026-06-01']);
  });
});
