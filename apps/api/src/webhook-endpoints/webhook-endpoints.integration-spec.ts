import { createTestDatabase, FakeTerraServer, TEST_ADMIN_KEY, type TestDatabase } from '@terra-connections/testing';
import { startApiAgainstFakeTerra, type ApiUnderTest } from '../connections/connections-api.harness';

/** /v1/webhook-endpoints over real HTTP: admin only, the secret shown once and stored sealed, the delivery log. */
describe('/v1/webhook-endpoints (real API, real Postgres)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  let api: ApiUnderTest;

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_webhook_endpoints'), FakeTerraServer.start()]);
    api = await startApiAgainstFakeTerra(db, fake);
  });
  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await db?.drop();
  });

  const admin = { key: TEST_ADMIN_KEY };

  it('creates (201, a whsec_ secret shown once and stored sealed), lists, reads, patches and deletes', async () => {
    const created = await api.request('POST', '/v1/webhook-endpoints', {
      ...admin,
      json: { url: 'https://svc.internal/events', event_types: ['connection.connected'], description: 'svc' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      url: 'https://svc.internal/events',
      event_types: ['connection.connected'],
      include_data: false,
      enabled: true,
      secret: expect.stringMatching(/^whsec_/),
    });
    const { id, secret } = created.body;
    const [stored] = await db.dataSource.query(`SELECT secret_encrypted FROM webhook_endpoints WHERE id = $1`, [id]);
    expect(stored.secret_encrypted).not.toContain(secret.slice(6, 20));

    const listed = await api.request('GET', '/v1/webhook-endpoints', admin);
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await api.request('GET', `/v1/webhook-endpoints/${id}`, admin)).body).not.toHaveProperty('secret');

    const patched = await api.request('PATCH', `/v1/webhook-endpoints/${id}`, { ...admin, json: { enabled: false, event_types: null } });
    expect(patched.body).toMatchObject({ enabled: false, event_types: null, disabled_reason: 'disabled via API' });
    const again = await api.request('PATCH', `/v1/webhook-endpoints/${id}`, { ...admin, json: { enabled: true } });
    expect(again.body).toMatchObject({ enabled: true, disabled_reason: null });

    const deliveries = await api.request('GET', `/v1/webhook-endpoints/${id}/deliveries?status=pending`, admin);
    expect(deliveries.body).toEqual({ data: [], next_cursor: null });

    expect((await api.request('DELETE', `/v1/webhook-endpoints/${id}`, admin)).status).toBe(204);
    expect((await api.request('GET', `/v1/webhook-endpoints/${id}`, admin)).status).toBe(404);
  });

  it('refuses a non-http URL or an unknown type (400), and the service key', async () => {
    expect((await api.request('POST', '/v1/webhook-endpoints', { ...admin, json: { url: 'ftp://x/y' } })).status).toBe(400);
    expect((await api.request('POST', '/v1/webhook-endpoints', { ...admin, json: { url: 'https://x/y', event_types: ['nope'] } })).status).toBe(400);
    const asService = await api.request('GET', '/v1/webhook-endpoints');
    expect([401, 403]).toContain(asService.status);
  });

  it('answers 400 to an endpoint or delivery id we could not have issued, briefly and without echoing it', async () => {
    for (const path of [`/v1/webhook-endpoints/${'a'.repeat(5000)}`, '/v1/webhook-endpoints/%01x', '/v1/webhook-endpoints/123/deliveries']) {
      const res = await api.request('GET', path, admin);
      expect({ path: path.slice(0, 40), status: res.status }).toEqual({ path: path.slice(0, 40), status: 400 });
      expect(res.body.message).toBe('id must be a webhook endpoint id (a UUID)');
    }
    const created = await api.request('POST', '/v1/webhook-endpoints', { ...admin, json: { url: 'https://svc.internal/ids' } });
    const res = await api.request('POST', `/v1/webhook-endpoints/${created.body.id}/deliveries/${'9'.repeat(40)}/replay`, admin);
    expect(res).toMatchObject({ status: 400, body: { message: 'deliveryId must be a delivery id (a positive integer)' } });
  });

  it('lists endpoints in keyset pages, and refuses a forged cursor or an unknown parameter', async () => {
    for (const n of [1, 2, 3]) await api.request('POST', '/v1/webhook-endpoints', { ...admin, json: { url: `https://svc.internal/page-${n}` } });
    const urls: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: { url: string }[]; next_cursor: string | null } } = await api.request(
        'GET',
        `/v1/webhook-endpoints?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        admin,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      urls.push(...res.body.data.map((endpoint: { url: string }) => endpoint.url));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(urls.filter((url) => url.includes('/page-'))).toEqual(['https://svc.internal/page-1', 'https://svc.internal/page-2', 'https://svc.internal/page-3']);
    expect(new Set(urls).size).toBe(urls.length);
    for (const query of ['cursor=%00', `cursor=${Buffer.from('["x","y"]').toString('base64url')}`, 'x=1', 'limit=abc']) {
      expect({ query, status: (await api.request('GET', `/v1/webhook-endpoints?${query}`, admin)).status }).toEqual({ query, status: 400 });
    }
  });

  it('rotates the secret (a new one, shown once, the old signing until the overlap ends) and takes replays', async () => {
    const created = await api.request('POST', '/v1/webhook-endpoints', { ...admin, json: { url: 'https://svc.internal/rotate' } });
    const { id, secret } = created.body;
    const rotated = await api.request('POST', `/v1/webhook-endpoints/${id}/rotate-secret`, { ...admin, json: { overlap_seconds: 600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    const expires = Date.parse(rotated.body.previous_secret_expires_at);
    expect(expires - Date.now()).toBeGreaterThan(590_000);
    expect(expires - Date.now()).toBeLessThan(610_000);
    expect((await api.request('POST', `/v1/webhook-endpoints/${id}/rotate-secret`, { ...admin, json: { overlap_seconds: -1 } })).status).toBe(400);

    expect((await api.request('POST', `/v1/webhook-endpoints/${id}/deliveries/12345/replay`, admin)).status).toBe(404);
    const since = await api.request('POST', `/v1/webhook-endpoints/${id}/replay`, { ...admin, json: { since: new Date().toISOString() } });
    expect(since).toMatchObject({ status: 202, body: { replayed: 0 } });
    expect((await api.request('POST', `/v1/webhook-endpoints/${id}/replay`, { ...admin, json: { since: 'yesterday' } })).status).toBe(400);
  });
});
