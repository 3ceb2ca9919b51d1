import fc from 'fast-check';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import { LEAKS, LivenessProbe, rawRequest, SERVICE_KEY, startHostileApi, type HostileApi, type RawResponse } from './hostile-support';

/**
 * issue 12, as an attacker and a careless client would call /v1: property-based over every route's body,
 * query and path, plus the named cases that once got a 500 or stalled the process. Whatever arrives, the API
 * answers below 500 (no Terra failure is staged here), shows no stack frame, path or SQL, keeps its error
 * messages short, never calls Terra for input it refuses, and keeps answering /health/live meanwhile.
 */
describe('hostile input on /v1', () => {
  let api: HostileApi;
  let live: LivenessProbe;

  beforeAll(async () => {
    api = await startHostileApi('hostile_v1');
    live = new LivenessProbe(api.url);
    // A real endpoint under the fixed id, so its routes get past the lookup to the work (a sealed secret is not needed to refuse input).
    await api.db.dataSource.query(
      `INSERT INTO webhook_endpoints (id, url, secret_encrypted) VALUES ('c0ffee00-0000-4000-8000-0000000000e1', 'http://127.0.0.1:9/hostile', 'sealed')`,
    );
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    await api?.stop();
  }, 60_000);

  const CONNECTION = 'c0ffee00-0000-4000-8000-000000000001';

  async function call(method: string, path: string, options: { body?: Buffer | string; key?: string | null; headers?: Record<string, string> } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? SERVICE_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    return rawRequest(api.url, { method, path, headers, body: options.body });
  }

  /** What every answer must be, whatever was sent. */
  function expectComposed(res: RawResponse, what: string): void {
    if (res.status >= 500) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
    if (LEAKS.test(res.text)) throw new Error(`${what} leaked internals: ${res.text.slice(0, 500)}`);
    if (res.status >= 400) {
      const body = JSON.parse(res.text) as { statusCode: number; message: unknown };
      expect(body.statusCode).toBe(res.status);
      expect(String(body.message).length).toBeLessThan(4_000);
    }
  }

  /** UTF-8 bytes, percent-encoded one by one: lone surrogates and NULs travel as they would from any client. */
  const pct = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  const hostileText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '2026-01-01T00:00:00+16:00', '9999-99-99', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', 'stale', '-1', '1e309', "'; DROP TABLE x; --", '%', '%00'),
    fc.string({ maxLength: 300 }),
  );
  const jsonish = fc.jsonValue({ maxDepth: 3 });
  const fieldValue = fc.oneof(hostileText, jsonish, fc.array(hostileText, { maxLength: 5 }));

  const ENDPOINT = 'c0ffee00-0000-4000-8000-0000000000e1';
  const BODY_ROUTES: [string, string, string[], string][] = [
    ['POST', '/v1/connections', ['reference_id', 'provider', 'providers', 'success_url', 'failure_url', 'language', 'multi_auth'], SERVICE_KEY],
    ['POST', '/v1/connections/mobile-token', ['reference_id'], SERVICE_KEY],
    ['POST', '/v1/webhook-endpoints', ['url', 'event_types', 'description', 'include_data'], TEST_ADMIN_KEY],
    ['PATCH', `/v1/webhook-endpoints/${ENDPOINT}`, ['url', 'event_types', 'description', 'enabled'], TEST_ADMIN_KEY],
    ['POST', `/v1/webhook-endpoints/${ENDPOINT}/replay`, ['since'], TEST_ADMIN_KEY],
  ];
  const QUERY_ROUTES: [string, string, string[], string | null][] = [
    ['GET', '/v1/connections', ['reference_id', 'provider', 'status', 'freshness', 'limit', 'cursor'], SERVICE_KEY],
    ['GET', `/v1/connections/${CONNECTION}`, ['refresh'], SERVICE_KEY],
    ['GET', `/v1/connections/${CONNECTION}/data`, ['type', 'from', 'to', 'limit', 'cursor'], SERVICE_KEY],
    ['GET', `/v1/connections/${CONNECTION}/events`, ['limit', 'cursor'], SERVICE_KEY],
    ['GET', '/v1/providers', [], SERVICE_KEY],
    ['GET', '/v1/webhook-events', ['status', 'limit', 'cursor'], TEST_ADMIN_KEY],
    ['POST', '/v1/webhook-events/replay-failed', [], TEST_ADMIN_KEY],
    ['POST', '/v1/admin/reconcile', [], TEST_ADMIN_KEY],
    ['GET', '/v1/admin/drift', ['since', 'kind', 'limit', 'cursor'], TEST_ADMIN_KEY],
    ['DELETE', `/v1/connections/${CONNECTION}`, [], SERVICE_KEY],
    ['GET', '/v1/events', ['cursor', 'types', 'reference_id', 'connection_id', 'limit'], SERVICE_KEY],
    ['GET', '/v1/terra-deliveries', ['status', 'limit', 'cursor'], TEST_ADMIN_KEY],
    ['GET', `/v1/connections/${CONNECTION}/terra-deliveries`, ['limit', 'cursor'], SERVICE_KEY],
    ['GET', '/v1/webhook-endpoints', ['limit', 'cursor'], TEST_ADMIN_KEY],
    ['GET', `/v1/webhook-endpoints/${ENDPOINT}/deliveries`, ['status', 'limit', 'cursor'], TEST_ADMIN_KEY],
    ['POST', `/v1/webhook-endpoints/${ENDPOINT}/rotate-secret`, [], TEST_ADMIN_KEY],
  ];

  it.each(BODY_ROUTES)('%s %s: any JSON body is answered below 500, and refused input never reaches Terra', async (method, path, fields, key) => {
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom(...fields, '__proto__', 'constructor', 'x'), fieldValue, { maxKeys: 6 }),
      jsonish,
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const before = api.terra.requests.length;
        const res = await call(method, path, { body: JSON.stringify(value), key });
        expectComposed(res, `${method} ${path} ${JSON.stringify(value).slice(0, 200)}`);
        if (res.status >= 400) expect(api.terra.requests.slice(before).filter((r) => r.route !== 'integrations' && r.route !== 'integrationsDetailed')).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it.each(QUERY_ROUTES)('%s %s: any query string is answered below 500', async (method, path, params, key) => {
    const query = fc.dictionary(fc.oneof(fc.constantFrom(...params, 'reference_id'), fc.string({ unit: 'binary', maxLength: 10 })), hostileText, { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(query, async (values) => {
        const qs = Object.entries(values).map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
        const res = await call(method, `${path}?${qs}`, { key });
        expectComposed(res, `${method} ${path}?${qs}`);
      }),
      { numRuns: 40 },
    );
  });

  it('any path parameter is answered below 500', async () => {
    const routes = [
      'GET /v1/connections/:id',
      'DELETE /v1/connections/:id',
      'GET /v1/connections/:id/data',
      'GET /v1/connections/:id/terra-deliveries',
      'POST /v1/webhook-events/:id/replay',
      'POST /v1/terra-deliveries/:id/replay',
      'GET /v1/webhook-endpoints/:id',
      'PATCH /v1/webhook-endpoints/:id',
      'DELETE /v1/webhook-endpoints/:id',
      'POST /v1/webhook-endpoints/:id/rotate-secret',
      `POST /v1/webhook-endpoints/${ENDPOINT}/deliveries/:id/replay`,
    ];
    const adminRoute = (template: string) => /webhook-events|terra-deliveries\/|webhook-endpoints/.test(template) && !template.startsWith('/v1/connections');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), hostileText, async (route, id) => {
        const [method, template] = route.split(' ');
        const res = await call(method, template.replace(':id', pct(id) || 'x'), { key: adminRoute(template) ? TEST_ADMIN_KEY : SERVICE_KEY });
        expectComposed(res, `${route} ${JSON.stringify(id)}`);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses strings Postgres cannot store with a 400 naming the field, before any Terra call', async () => {
    const before = api.terra.requests.length;
    const cases: [string, string, string | undefined, string][] = [
      ['POST', '/v1/connections/mobile-token', JSON.stringify({ reference_id: 'user\u0000' }), 'reference_id'],
      ['POST', '/v1/connections', JSON.stringify({ reference_id: 'user\u0000', provider: 'FITBIT' }), 'reference_id'],
      ['POST', '/v1/connections', '{"reference_id":"user\\ud800"}', 'reference_id'],
      ['POST', '/v1/connections', JSON.stringify({ reference_id: 'u', success_url: 'https://a.example/\u0000' }), 'success_url'],
      ['POST', '/v1/connections', JSON.stringify({ reference_id: 'u', providers: ['FITBIT', 'OU\u0000RA'] }), 'providers[1]'],
      ['GET', '/v1/connections?reference_id=user%00', undefined, 'reference_id'],
      ['GET', '/v1/connections?cursor=%00', undefined, 'cursor'],
      ['GET', `/v1/connections/${CONNECTION}/data?from=2026-01-01%00`, undefined, 'from'],
      ['GET', '/v1/connections/abc%00', undefined, 'id must not contain NUL'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await call(method, path, { body });
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(JSON.parse(res.text).message).toContain(field);
    }
    expect(api.terra.requests.slice(before)).toEqual([]);
  });

  it('refuses a deeply nested body, and one with 100,000 unknown keys, at once and with a short message', async () => {
    const deep = `${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}`;
    const deepRes = await call('POST', '/v1/connections', { body: deep });
    expect(deepRes.status).toBe(400);
    expect(JSON.parse(deepRes.text).message).toMatch(/nested more than 8 levels/);

    const arrays = `{"reference_id":"u","providers":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect((await call('POST', '/v1/connections', { body: arrays })).status).toBe(400);

    const wide = `{${Array.from({ length: 100_000 }, (_, i) => `"${i.toString(36)}":1`).join(',')}}`;
    expect(wide.length).toBeGreaterThan(800_000);
    const wideRes = await call('POST', '/v1/connections', { body: wide });
    expect(wideRes.status).toBe(400);
    expect(wideRes.text.length).toBeLessThan(1_000);
    expect(JSON.parse(wideRes.text).message).toMatch(/more than 1000 fields/);

    // Unknown keys below the bound still name themselves, in a bounded message.
    const some = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`unknown_${'x'.repeat(200)}_${i}`, 1]));
    const someRes = await call('POST', '/v1/connections', { body: JSON.stringify({ reference_id: 'u', ...some }) });
    expect(someRes.status).toBe(400);
    expect(JSON.parse(someRes.text).message).toMatch(/should not exist.*and \d+ more problem/);
    expect(someRes.text.length).toBeLessThan(4_000);
  });

  it('accepts only the date-time offsets Postgres accepts, and answers 400 to the rest', async () => {
    const data = (from: string) => call('GET', `/v1/connections/${CONNECTION}/data?from=${encodeURIComponent(from)}`);
    for (const refused of ['2026-11-01T00:00:00+16:00', '2026-11-01T00:00:00-16:00', '2026-11-01T00:00:00+23:59', '2026-11-01T00:00+2000']) {
      expect({ refused, status: (await data(refused)).status }).toEqual({ refused, status: 400 });
    }
    // Valid input: the connection is unknown, so the answer is the 404 of a query that ran.
    for (const accepted of ['2026-11-01T00:00:00+15:59', '2026-11-01T00:00:00-15:59', '2026-11-01', '2026-11-01T07:30Z']) {
      expect({ accepted, status: (await data(accepted)).status }).toEqual({ accepted, status: 404 });
    }
  });

  it('answers a malformed compressed body with 400 given a key, with 401 without one, never 5xx', async () => {
    const junk = Buffer.from('definitely not compressed');
    const broken = [gzipSync('{"reference_id":"u"}').subarray(0, 12), deflateSync('{"a":1}').subarray(0, 4), brotliCompressSync('{"a":1}').subarray(1)];
    for (const encoding of ['gzip', 'deflate', 'br']) {
      for (const body of [junk, ...broken]) {
        for (const [method, path] of [['POST', '/v1/connections'], ['POST', '/v1/connections/mobile-token'], ['GET', '/v1/providers'], ['POST', '/v1/webhook-events/replay-failed'], ['POST', '/nowhere']]) {
          const keyed = await call(method, path, { body, key: path.includes('webhook-events') ? TEST_ADMIN_KEY : SERVICE_KEY, headers: { 'content-encoding': encoding } });
          expectComposed(keyed, `${encoding} ${method} ${path}`);
          if (path.startsWith('/v1/connections')) {
            expect(keyed.status).toBe(400);
            expect(JSON.parse(keyed.text).message).toMatch(/could not be decompressed/);
          }
          const anonymous = await call(method, path, { body, key: null, headers: { 'content-encoding': encoding } });
          expectComposed(anonymous, `${encoding} ${method} ${path} without a key`);
          if (path.startsWith('/v1')) expect(anonymous.status).toBe(401);
        }
      }
    }
  });

  it('keeps the refusals that held: 401 for every bad key, 413 over 1 MB and for a bomb, 431 for huge headers', async () => {
    for (const authorization of [undefined, '', 'Bearer', 'Bearer  ', `Bearer ${SERVICE_KEY}x`, `bearer ${SERVICE_KEY} extra`, `Basic ${SERVICE_KEY}`]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const res = await rawRequest(api.url, { method: 'GET', path: '/v1/connections', headers });
      expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
    }
    const big = JSON.stringify({ reference_id: 'x'.repeat(1_100_000) });
    expect((await call('POST', '/v1/connections', { body: big })).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, ' '));
    expect((await call('POST', '/v1/connections', { body: bomb, headers: { 'content-encoding': 'gzip' } })).status).toBe(413);
    const huge = await rawRequest(api.url, { method: 'GET', path: '/v1/connections', headers: { authorization: `Bearer ${SERVICE_KEY}`, 'x-filler': 'a'.repeat(64 * 1024) } });
    expect(huge.status).toBe(431);
  });

  /** Writes raw bytes on one socket and returns everything the server sends back until it closes or goes quiet. */
  function rawExchange(bytes: string): Promise<string> {
    const { port } = new URL(api.url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.setTimeout(2_000, () => socket.destroy());
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
    });
  }

  it('gives no way to smuggle a second request: conflicting framing is a 400 and the connection ends', async () => {
    const smuggled = `GET /v1/connections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SERVICE_KEY}\r\n\r\n`;
    const framings = [
      `Content-Length: ${smuggled.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `Content-Length: 2\r\nContent-Length: ${smuggled.length + 2}\r\n\r\n{}${smuggled}`,
      `Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${smuggled}`,
      `Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    ];
    for (const framing of framings) {
      const answer = await rawExchange(`POST /webhooks/terra HTTP/1.1\r\nHost: x\r\nTerra-Signature: t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}\r\n${framing}`);
      const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
      expect({ framing: framing.split('\r\n')[0], statuses }).toEqual({ framing: framing.split('\r\n')[0], statuses: ['400'] });
    }
  });

  it('sends helmet headers and no X-Powered-By, and keeps the result pages\' own CSP', async () => {
    const res = await call('GET', '/v1/providers');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const docs = await call('GET', '/docs', { key: null });
    expect(docs.status).toBe(200);
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self'");
    const page = await call('GET', '/connect/success?reference_id=u1&resource=FITBIT', { key: null });
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });

  it('never logs reference_id from a query string', async () => {
    // The log goes out in batches: wait for each request's own line, so the absence below is checked after both are out.
    const linesOf = (pattern: RegExp) => api.process.log.match(pattern)?.length ?? 0;
    const first = /GET \/v1\/connections\?\[Redacted\]&limit=5&\[Redacted\] 400/g;
    const second = /GET \/v1\/connections\?\[Redacted\] 400/g;
    const [firstBefore, secondBefore] = [linesOf(first), linesOf(second)];
    // 4xx lines are logged at warn, the level this API runs at.
    expect((await call('GET', '/v1/connections?reference_id=secret-person-42&limit=5&bogus=1')).status).toBe(400);
    expect((await call('GET', '/v1/connections?reference_id=secret-person-43%00')).status).toBe(400);
    await waitFor(() => linesOf(first) > firstBefore && linesOf(second) > secondBefore, { describe: 'both request lines in the log' });
    expect(api.process.log).not.toContain('secret-person-43');
    expect(api.process.log).not.toContain('secret-person-42');
  });

  it('answered /health/live throughout, and still does', async () => {
    await live.stop();
    expect(live.failures).toBe(0);
    // Generous: a loaded CI box is slow, a blocked event loop is seconds.
    expect(live.slowestMs).toBeLessThan(5_000);
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
  });
});
