import {
  createTestDatabase,
  FakeTerraServer,
  TEST_API_KEY,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApiAgainstFakeTerra, type ApiUnderTest } from './connections-api.harness';

/** POST /v1/connections, POST /v1/connections/mobile-token, GET /v1/providers, auth and Terra error mapping. */
describe('connect API (real API, real Postgres, real SDK against a fake Terra)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  const apps: ApiUnderTest[] = [];

  async function boot(overrides: Record<string, string> = {}): Promise<ApiUnderTest> {
    const api = await startApiAgainstFakeTerra(db, fake, overrides);
    apps.push(api);
    return api;
  }

  async function attempts() {
    const rows: Array<Record<string, unknown>> = await db.dataSource.query(
      `SELECT kind, session_id, terra_user_id, reference_id, providers, status, expires_at
         FROM connection_attempts ORDER BY created_at`,
    );
    return rows;
  }

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_connect'), FakeTerraServer.start()]);
  });
  afterAll(async () => {
    for (const api of apps) await api.close();
    await fake?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    fake.reset();
    await db.dataSource.query('TRUNCATE connection_attempts, terra_connections');
  });

  describe('with Terra healthy', () => {
    let api: ApiUnderTest;
    beforeAll(async () => {
      api = await boot();
    });

    describe('authentication', () => {
      it.each([
        ['no Authorization header', null],
        ['a wrong key', 'not-a-key'],
      ])('answers 401 with a JSON error for %s, on every /v1 route', async (_case, key) => {
        for (const [method, path] of [
          ['POST', '/v1/connections'],
          ['POST', '/v1/connections/mobile-token'],
          ['GET', '/v1/connections'],
          ['GET', '/v1/connections/some-user'],
          ['DELETE', '/v1/connections/some-user'],
          ['GET', '/v1/providers'],
        ]) {
          const res = await api.request(method, path, { key, json: method === 'POST' ? { reference_id: 'p1' } : undefined });
          expect({ method, path, status: res.status, error: res.body?.error }).toEqual({
            method,
            path,
            status: 401,
            error: 'Unauthorized',
          });
          expect(typeof res.body.message).toBe('string');
        }
        expect(fake.requests).toHaveLength(0);
      });

      it('rejects a non-Bearer scheme', async () => {
        const res = await fetch(`${api.url}/v1/providers`, { headers: { authorization: `Basic ${TEST_API_KEY}` } });
        expect(res.status).toBe(401);
      });
    });

    describe('POST /v1/connections with provider (direct)', () => {
      it('returns the auth URL and the pre-allocated Terra user id, and records a pending direct attempt', async () => {
        const res = await api.request('POST', '/v1/connections', {
          json: { reference_id: 'person-1', provider: ' fitbit ', success_url: 'https://app.example/ok', language: 'de' },
        });

        expect(res.status).toBe(201);
        expect(res.body).toEqual({
          type: 'direct',
          url: expect.stringContaining('https://auth.example/fitbit'),
          terra_user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          reference_id: 'person-1',
          provider: 'FITBIT',
        });
        const [request] = fake.requestsTo('authenticateUser');
        expect(request.query.resource).toBe('FITBIT');
        expect(request.body).toMatchObject({
          reference_id: 'person-1',
          auth_success_redirect_url: 'https://app.example/ok',
          auth_failure_redirect_url: `${api.url}/connect/failure`,
          language: 'de',
        });
        expect(await attempts()).toEqual([
          expect.objectContaining({
            kind: 'direct',
            terra_user_id: res.body.terra_user_id,
            reference_id: 'person-1',
            providers: ['FITBIT'],
            status: 'pending',
            session_id: null,
          }),
        ]);
      });

      it('answers 400 naming a provider missing from the cached provider list, without calling authenticateUser', async () => {
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1', provider: 'NOSUCHBAND' } });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(res.body.message).toContain('NOSUCHBAND');
        expect(fake.requestsTo('authenticateUser')).toHaveLength(0);
        expect(await attempts()).toEqual([]);
      });

      it('turns Terra\'s 404 for the resource into a 400 naming the provider', async () => {
        fake.fail('authenticateUser', { status: 404, body: { status: 'error', message: 'Resource not enabled' } });
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1', provider: 'GARMIN' } });
        expect(res.status).toBe(400);
        expect(res.body.message).toContain('GARMIN');
        expect(res.body.message).toContain('Resource not enabled');
        expect(await attempts()).toEqual([]);
      });

      it('passes Terra\'s 400 message through as a 400', async () => {
        fake.fail('authenticateUser', { status: 400, body: { status: 'error', message: 'reference_id too long for Terra' } });
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1', provider: 'GARMIN' } });
        expect(res.status).toBe(400);
        expect(res.body.message).toContain('reference_id too long for Terra');
      });
    });

    describe('POST /v1/connections without provider (widget)', () => {
      it('creates a session on the new endpoint, passes the person\'s active connections, records the attempt', async () => {
        await db.dataSource.query(
          `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status)
           VALUES ('uid-active', 'person-2', 'OURA', 'active'), ('uid-gone', 'person-2', 'GARMIN', 'disconnected')`,
        );
        fake.addUser({ user_id: 'uid-active', provider: 'OURA', reference_id: 'person-2' });
        const before = Date.now();

        const res = await api.request('POST', '/v1/connections', {
          json: { reference_id: 'person-2', providers: ['fitbit', 'Garmin'], multi_auth: true, failure_url: 'myapp://failed' },
        });

        expect(res.status).toBe(201);
        expect(res.body).toEqual({
          type: 'widget',
          url: expect.stringContaining('https://widget.tryterra.co/session/'),
          session_id: expect.any(String),
          expires_at: expect.any(String),
          reference_id: 'person-2',
        });
        expect(Date.parse(res.body.expires_at)).toBeGreaterThanOrEqual(before + 86_400_000);
        expect(fake.requestsTo('widgetSession')[0].body).toEqual({
          providers: 'FITBIT,GARMIN',
          reference_id: 'person-2',
          auth_success_redirect_url: `${api.url}/connect/success`,
          auth_failure_redirect_url: 'myapp://failed',
          connected_uids: ['uid-active'],
          multi_auth: true,
        });
        const [attempt] = await attempts();
        expect(attempt).toMatchObject({
          kind: 'widget',
          session_id: res.body.session_id,
          reference_id: 'person-2',
          providers: ['FITBIT', 'GARMIN'],
          status: 'pending',
        });
        expect((attempt.expires_at as Date).toISOString()).toBe(res.body.expires_at);
      });

      it('accepts Terra\'s comma-separated providers string', async () => {
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p3', providers: 'oura, polar' } });
        expect(res.status).toBe(201);
        expect(fake.requestsTo('widgetSession')[0].body).toMatchObject({ providers: 'OURA,POLAR' });
        expect(res.body).not.toHaveProperty('warnings');
      });

      it('returns Terra\'s warnings (a provider disabled at Terra after our list was cached)', async () => {
        await api.request('GET', '/v1/providers'); // make sure the list is cached with FITBIT enabled
        fake.providers.find((p) => p.provider === 'FITBIT')!.enabled = false;
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p3', providers: ['FITBIT'] } });
        expect(res.status).toBe(201);
        expect(res.body.warnings).toEqual(['Provider FITBIT is unknown or not enabled']);
      });

      it('answers 400 naming every unknown provider in providers', async () => {
        const res = await api.request('POST', '/v1/connections', {
          json: { reference_id: 'p1', providers: ['FITBIT', 'FOO', 'BAR'] },
        });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/FOO, BAR/);
        expect(fake.requestsTo('widgetSession')).toHaveLength(0);
      });

      it('omits providers when none are given (the dashboard selection applies)', async () => {
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p4' } });
        expect(res.status).toBe(201);
        expect(fake.requestsTo('widgetSession')[0].body).not.toHaveProperty('providers');
      });
    });

    describe('input validation', () => {
      it.each([
        [{}, 'reference_id'],
        [{ reference_id: 5 }, 'reference_id must be a string'],
        [{ reference_id: '' }, 'reference_id should not be empty'],
        [{ reference_id: 'x'.repeat(256) }, 'reference_id must be shorter'],
        [{ reference_id: 'p', provider: 'FITBIT', providers: ['OURA'] }, 'provider and providers are mutually exclusive'],
        [{ reference_id: 'p', provider: 'FITBIT', multi_auth: true }, 'multi_auth and provider are mutually exclusive'],
        [{ reference_id: 'p', provider: 'fit bit!' }, 'provider must be a Terra provider name'],
        [{ reference_id: 'p', providers: [] }, 'providers should not be empty'],
        [{ reference_id: 'p', providers: [1] }, 'providers'],
        [{ reference_id: 'p', success_url: 'not a url' }, 'success_url must be an absolute URL'],
        [{ reference_id: 'p', failure_url: '/relative' }, 'failure_url must be an absolute URL'],
        [{ reference_id: 'p', language: 'english please' }, 'language must be a language code'],
        [{ reference_id: 'p', multi_auth: 'yes' }, 'multi_auth must be a boolean'],
        [{ reference_id: 'p', referenceId: 'typo' }, 'property referenceId should not exist'],
      ])('answers 400 naming the field for %j', async (json, expected) => {
        const res = await api.request('POST', '/v1/connections', { json });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(res.body.message).toContain(expected);
        expect(fake.requests.filter((r) => r.route !== 'integrationsDetailed')).toHaveLength(0);
      });

      it('answers 400, not 500, to malformed JSON', async () => {
        const res = await api.request('POST', '/v1/connections', { raw: '{"reference_id": ', contentType: 'application/json' });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      });

      it.each([
        ['text/plain', 'reference_id=p1'],
        ['application/x-www-form-urlencoded', 'reference_id=p1'],
      ])('answers 400 to a %s body', async (contentType, raw) => {
        const res = await api.request('POST', '/v1/connections', { raw, contentType });
        expect(res.status).toBe(400);
        expect(res.body.message).toContain('application/json');
      });

      it('answers 413 to a body over 1 MB', async () => {
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'x'.repeat(1_100_000) } });
        expect(res.status).toBe(413);
        expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      });

      it('answers 400 to a JSON array or scalar body', async () => {
        for (const raw of ['[]', '"p1"', '42']) {
          const res = await api.request('POST', '/v1/connections', { raw, contentType: 'application/json' });
          expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
        }
      });
    });

    describe('POST /v1/connections/mobile-token', () => {
      it('returns a single-use token and records a pending mobile attempt', async () => {
        const before = Date.now();
        const res = await api.request('POST', '/v1/connections/mobile-token', { json: { reference_id: 'person-9' } });
        expect(res.status).toBe(201);
        expect(res.body).toEqual({ token: expect.stringMatching(/^[0-9a-f]{64}$/), expires_in: 180 });
        const [attempt] = await attempts();
        expect(attempt).toMatchObject({ kind: 'mobile', reference_id: 'person-9', status: 'pending', session_id: null });
        expect((attempt.expires_at as Date).getTime()).toBeGreaterThanOrEqual(before + 179_000);
      });

      it('answers 400 naming reference_id when it is missing', async () => {
        const res = await api.request('POST', '/v1/connections/mobile-token', { json: {} });
        expect(res.status).toBe(400);
        expect(res.body.message).toContain('reference_id');
        expect(fake.requestsTo('generateAuthToken')).toHaveLength(0);
      });

      it('answers 400 to a blank reference_id or one with control characters, on every route that takes one, before Terra', async () => {
        for (const reference of ['   ', 'user\r\nforged: line', 'tab\there', 'del\u007f', 'c1\u0085']) {
          for (const [method, path] of [['POST', '/v1/connections/mobile-token'], ['POST', '/v1/connections']] as const) {
            const res = await api.request(method, path, { json: { reference_id: reference } });
            expect({ path, reference, status: res.status, message: res.body.message }).toEqual({
              path,
              reference,
              status: 400,
              message: expect.stringContaining('reference_id must not be blank or contain control characters'),
            });
          }
          const listed = await api.request('GET', `/v1/connections?reference_id=${encodeURIComponent(reference)}`);
          expect({ reference, status: listed.status }).toEqual({ reference, status: 400 });
        }
        expect(fake.requestsTo('generateAuthToken')).toHaveLength(0);
        const unicode = await api.request('POST', '/v1/connections/mobile-token', { json: { reference_id: 'Zoë 李 ☕' } });
        expect(unicode.status).toBe(201);
      });
    });

    describe('Terra error mapping', () => {
      it.each([
        { terra: 400, body: { status: 'error', message: 'bad thing' }, ours: 400, message: 'bad thing' },
        { terra: 404, body: { status: 'error', message: 'Invalid dev-id was provided' }, ours: 404, message: 'Invalid dev-id was provided' },
        { terra: 401, body: { status: 'error', message: 'unauthorized' }, ours: 502, message: 'Terra rejected our credentials' },
        { terra: 403, body: { status: 'error', message: 'key does not match' }, ours: 502, message: 'Terra rejected our credentials' },
        { terra: 500, body: { status: 'error', message: 'boom' }, ours: 502, message: 'Terra is unavailable' },
        { terra: 503, body: '<html>maintenance</html>', ours: 502, message: 'Terra is unavailable' },
        { terra: 429, body: { status: 'error', message: 'slow down' }, ours: 502, message: 'slow down' },
      ])('maps Terra $terra to our $ours', async ({ terra: terraStatus, body, ours: ourStatus, message }) => {
        fake.fail('generateAuthToken', { status: terraStatus, body });
        const res = await api.request('POST', '/v1/connections/mobile-token', { json: { reference_id: 'p1' } });
        expect(res.status).toBe(ourStatus);
        expect(res.body.statusCode).toBe(ourStatus);
        expect(res.body.message).toContain(message);
        expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
        expect(await attempts()).toEqual([]);
      });

      it('answers 504 when Terra does not answer within TERRA_TIMEOUT_SECONDS', async () => {
        fake.fail('generateAuthToken', { delayMs: 1_500 });
        const res = await api.request('POST', '/v1/connections/mobile-token', { json: { reference_id: 'p1' } });
        expect(res.status).toBe(504);
        expect(res.body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout' });
      });

      it('maps errors from the new widget endpoint the same way', async () => {
        fake.fail('widgetSession', { status: 403, body: { status: 'error', message: 'bad key' } });
        const res = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1' } });
        expect(res.status).toBe(502);
        expect(res.body.message).toBe('Terra rejected our credentials');
      });
    });

    describe('GET /v1/providers', () => {
      it('lists Terra\'s enabled providers and serves repeats from the cache', async () => {
        const first = await api.request('GET', '/v1/providers');
        const second = await api.request('GET', '/v1/providers');

        expect(first.status).toBe(200);
        const names = first.body.data.map((p: { provider: string }) => p.provider);
        expect(names).toEqual(expect.arrayContaining(['FITBIT', 'GARMIN', 'APPLE']));
        expect(names).not.toContain('DEXCOM');
        expect(first.body.data[0]).toEqual({
          provider: expect.any(String),
          name: expect.any(String),
          icon: expect.any(String),
          setup: expect.any(String),
          types: expect.any(Object),
        });
        expect(first.body.stale).toBe(false);
        expect(second.body).toEqual(first.body);
        expect(fake.requestsTo('integrationsDetailed').length).toBeLessThanOrEqual(1);
      });
    });
  });

  describe('with the legacy widget endpoint retired (410)', () => {
    it('falls back from the new endpoint to the legacy one once, and keeps using the one that works', async () => {
      const api = await boot({ TERRA_WIDGET_MODE: 'session' });
      fake.fail('widgetSession', { status: 410 });

      const first = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1', providers: ['OURA'] } });
      const second = await api.request('POST', '/v1/connections', { json: { reference_id: 'p2' } });

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(fake.requestsTo('widgetSession')).toHaveLength(1);
      expect(fake.requestsTo('legacyWidgetSession').map((r) => r.body)).toEqual([
        expect.objectContaining({ reference_id: 'p1', providers: 'OURA' }),
        expect.objectContaining({ reference_id: 'p2' }),
      ]);
      expect(Date.parse(first.body.expires_at) - Date.now()).toBeLessThanOrEqual(900_000);
      expect((await attempts()).map((a) => a.session_id)).toEqual([first.body.session_id, second.body.session_id]);
    });

    it('in legacy mode, moves to the new endpoint on a 410 from the legacy one', async () => {
      const api = await boot({ TERRA_WIDGET_MODE: 'legacy' });
      fake.fail('legacyWidgetSession', { status: 410 });

      const first = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1' } });
      const second = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1' } });

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(fake.requestsTo('legacyWidgetSession')).toHaveLength(1);
      expect(fake.requestsTo('widgetSession')).toHaveLength(2);
    });
  });

  describe('with Terra down before any provider list was cached', () => {
    it('surfaces Terra\'s error on GET /v1/providers and on a connect that needs the list', async () => {
      const api = await boot();
      fake.fail('integrationsDetailed', { status: 503 });

      const providers = await api.request('GET', '/v1/providers');
      const connect = await api.request('POST', '/v1/connections', { json: { reference_id: 'p1', provider: 'FITBIT' } });

      expect(providers.status).toBe(502);
      expect(connect.status).toBe(502);
      expect(fake.requestsTo('authenticateUser')).toHaveLength(0);
    });
  });
});
