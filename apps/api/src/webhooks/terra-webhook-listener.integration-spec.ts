import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '@terra-connections/config';
import {
  createTestDatabase,
  dropQueuePrefix,
  postWebhook,
  signTerraBody,
  streamWebhook,
  TEST_API_KEY,
  testEnv,
  waitFor,
  type TestDatabase,
} from '@terra-connections/testing';
import { NOT_AN_EVENT_MESSAGE } from '@terra-connections/webhook-ingest';
import { startApi, type ApiUnderTest } from '../connections/connections-api.harness';

/**
 * The webhook route is served in front of Express (terra-webhook.listener.ts). These are the edges that
 * Express used to give it for free: the body limit, the path forms Express accepts, content-encoded
 * bodies (left to Express), and the routes beside it.
 */
describe('POST /webhooks/terra in front of Express', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let api: ApiUnderTest;

  beforeAll(async () => {
    db = await createTestDatabase('webhook_listener');
    env = testEnv({ DATABASE_URL: db.url, WEBHOOK_BODY_LIMIT: '50mb', WEBHOOK_INFLIGHT_VALUES: '1000000' });
    api = await startApi(env, TEST_API_KEY);
  });

  afterAll(async () => {
    await api?.close();
    if (env) {
      const config = loadConfig(env);
      await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
    }
    await db?.drop();
  });

  const inboxTraceIds = async (): Promise<string[]> =>
    (await db.dataSource.query(`SELECT dedup_key FROM webhook_events ORDER BY id`)).map((row: { dedup_key: string }) => row.dedup_key);

  const freshSignature = () => `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;

  it('answers 413 to a signed-looking body declared larger than the limit, before reading it', async () => {
    const res = await streamWebhook(api.url, { 'terra-signature': freshSignature(), 'content-length': String(60 * 1024 * 1024) }, 60 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' });
    expect(res.written).toBeLessThan(50 * 1024 * 1024);
  });

  it('answers 413 to a chunked body that runs past the limit, and stores nothing', async () => {
    const before = await inboxTraceIds();
    const res = await streamWebhook(api.url, { 'terra-signature': freshSignature() }, 60 * 1024 * 1024);
    expect(res).toMatchObject({ status: 413, body: { message: 'Request body is too large' } });
    expect(res.written).toBeLessThan(60 * 1024 * 1024);
    expect(await inboxTraceIds()).toEqual(before);
  });

  it('accepts the path with a trailing slash or a query string, and echoes the request id', async () => {
    const traces = [randomUUID(), randomUUID()];
    for (const [index, path] of ['/webhooks/terra/', '/webhooks/terra?source=terra'].entries()) {
      const body = JSON.stringify({ type: 'healthcheck', status: 'success', n: index });
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'terra-signature': signTerraBody(body), 'x-terra-trace-id': traces[index], 'x-request-id': `req-${index}` },
        body,
      });
      expect({ path, status: res.status, requestId: res.headers.get('x-request-id') }).toEqual({ path, status: 200, requestId: `req-${index}` });
      expect(await res.json()).toMatchObject({ status: 'accepted', event_id: expect.any(String) });
    }
    expect(await inboxTraceIds()).toEqual(expect.arrayContaining(traces.map((trace) => expect.stringContaining(trace))));
  });

  it('accepts a gzip-encoded delivery through the Express route, verified over the inflated bytes', async () => {
    const body = JSON.stringify({ type: 'healthcheck', status: 'success', trace: randomUUID() });
    const traceId = randomUUID();
    const res = await postWebhook(api.url, gzipSync(body), { signature: signTerraBody(body), traceId, headers: { 'content-encoding': 'gzip' } });
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const forged = await postWebhook(api.url, gzipSync(body), { signature: signTerraBody(body, 'wrong-secret'), headers: { 'content-encoding': 'gzip' } });
    expect(forged.status).toBe(401);
    expect(await inboxTraceIds()).toEqual(expect.arrayContaining([expect.stringContaining(traceId)]));
  });

  it('refuses an unsigned gzip-encoded stream on the Express route from its headers, before inflating it', async () => {
    const res = await streamWebhook(api.url, { 'content-encoding': 'gzip' }, 60 * 1024 * 1024);
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid or missing Terra webhook signature' } });
    expect(res.written).toBeLessThan(50 * 1024 * 1024);
  });

  it('answers 400 with the API error shape to a signed body that is not JSON', async () => {
    const res = await postWebhook(api.url, 'not json');
    expect(res).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Webhook body is not valid JSON' } });
  });

  it('answers 400 to signed bytes that are not UTF-8, and to JSON that is no event', async () => {
    const latin1 = await postWebhook(api.url, Buffer.from('{"type":"auth","name":"caf\xe9"}', 'latin1'));
    expect(latin1).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Webhook body is not valid JSON' } });
    const noEvent = await postWebhook(api.url, '{"type":""}');
    expect(noEvent).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: NOT_AN_EVENT_MESSAGE } });
  });

  it('answers 400 to a signed event whose user_id or reference_id is longer than a connection can hold, and stores nothing', async () => {
    const before = Number((await db.dataSource.query(`SELECT count(*) AS n FROM webhook_events`))[0].n);
    const longUser = await postWebhook(api.url, JSON.stringify({ type: 'auth', status: 'success', user: { user_id: 'u'.repeat(65), provider: 'OURA' } }));
    const longReauth = await postWebhook(api.url, JSON.stringify({ type: 'user_reauth', new_user: { user_id: 'n'.repeat(100) }, old_user: { user_id: 'o' } }));
    const longReference = await postWebhook(api.url, JSON.stringify({ type: 'auth', reference_id: 'r'.repeat(256), user: { user_id: 'u1' } }));
    for (const res of [longUser, longReauth, longReference]) expect(res).toMatchObject({ status: 400, body: { message: NOT_AN_EVENT_MESSAGE } });
    const fits = await postWebhook(api.url, JSON.stringify({ type: 'auth', reference_id: 'r'.repeat(255), user: { user_id: 'u'.repeat(64) } }));
    expect(fits.status).toBe(200);
    expect(Number((await db.dataSource.query(`SELECT count(*) AS n FROM webhook_events`))[0].n)).toBe(before + 1);
  });

  it('leaves other methods on the path, and every other route, to Express', async () => {
    expect((await fetch(`${api.url}/webhooks/terra`)).status).toBe(404);
    expect((await api.request('GET', '/v1/connections')).status).toBe(200);
  });

  it('bounds the JSON values of large bodies in flight (WEBHOOK_INFLIGHT_VALUES): the next large one gets 503 + Retry-After, small ones pass', async () => {
    const large = (n: number) => `{"type":"activity","user":{"user_id":"values-${n}"},"data":[${'1,'.repeat(600_000)}${n}]}`;
    const post = (body: string) =>
      fetch(`${api.url}/webhooks/terra`, { method: 'POST', headers: { 'content-type': 'application/json', 'terra-signature': signTerraBody(body) }, body });
    const locker = db.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    let first: Promise<Response> | undefined;
    let small: Promise<Response> | undefined;
    try {
      // Inserts wait behind this lock: the first large body holds its 600,001 values in flight meanwhile.
      await locker.query(`LOCK TABLE webhook_events IN SHARE ROW EXCLUSIVE MODE`);
      first = post(large(1));
      await waitFor(async () => (await db.dataSource.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'webhook_events'::regclass AND NOT granted`))[0].n >= 1, {
        describe: 'the first insert to wait',
      });
      const second = await post(large(2));
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('5');
      expect(await second.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Too many large webhook bodies in flight; retry later' });
      small = post(JSON.stringify({ type: 'daily', user: { user_id: 'values-small' }, data: [] }));
    } finally {
      await locker.commitTransaction();
      await locker.release();
    }
    expect((await first).status).toBe(200);
    expect((await small!).status).toBe(200);
    expect((await post(large(2))).status).toBe(200);
    const stored = await db.dataSource.query(`SELECT terra_user_id FROM webhook_events WHERE terra_user_id LIKE 'values-%' ORDER BY terra_user_id`);
    expect(stored.map((row: { terra_user_id: string }) => row.terra_user_id)).toEqual(['values-1', 'values-2', 'values-small']);
  });

  it('keeps a large body\'s values in the budget until Postgres is done with its insert, not only until the 5 s deadline', async () => {
    const large = (n: number) => `{"type":"activity","user":{"user_id":"late-${n}"},"data":[${'1,'.repeat(600_000)}${n}]}`;
    const post = (body: string) =>
      fetch(`${api.url}/webhooks/terra`, { method: 'POST', headers: { 'content-type': 'application/json', 'terra-signature': signTerraBody(body) }, body });
    const locker = db.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      await locker.query(`LOCK TABLE webhook_events IN SHARE ROW EXCLUSIVE MODE`);
      // Past the deadline: the caller gets 503, and the insert still waits on the lock.
      const first = await post(large(1));
      expect(first.status).toBe(503);
      expect(await first.json()).toMatchObject({ message: 'Webhook inbox unavailable, retry later' });
      const second = await post(large(2));
      expect(second.status).toBe(503);
      expect(await second.json()).toMatchObject({ message: 'Too many large webhook bodies in flight; retry later' });
    } finally {
      await locker.commitTransaction();
      await locker.release();
    }
    // The late insert commits (Terra's retry would be a duplicate), and the budget is free again.
    await waitFor(async () => (await post(large(2))).status === 200, { describe: 'large bodies to be taken again' });
    const stored = await db.dataSource.query(`SELECT terra_user_id FROM webhook_events WHERE terra_user_id LIKE 'late-%' ORDER BY terra_user_id`);
    expect(stored.map((row: { terra_user_id: string }) => row.terra_user_id)).toEqual(['late-1', 'late-2']);
  }, 30_000);
});
