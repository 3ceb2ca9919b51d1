import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { createTestDatabase, postWebhook, signTerraBody, streamWebhook, TEST_API_KEY, testEnv, type TestDatabase } from '@terra-connections/testing';
import { startApi, type ApiUnderTest } from '../connections/connections-api.harness';

describe('Webhook signature pre-check: unsigned requests are refused from their headers alone', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let api: ApiUnderTest;

  beforeAll(async () => {
    db = await createTestDatabase('webhook_precheck');
    env = testEnv({ DATABASE_URL: db.url, WEBHOOK_BODY_LIMIT: '50mb' });
    api = await startApi(env, TEST_API_KEY);
  });

  afterAll(async () => {
    await api?.close();
    const config = loadConfig(env);
    const queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    await db?.drop();
  });

  const inboxCount = async () => Number((await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`))[0].n);

  it('answers 401 to an unsigned 60 MB stream before reading it (not 413 after buffering the limit)', async () => {
    const res = await streamWebhook(api.url, {}, 60 * 1024 * 1024);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid or missing Terra webhook signature' });
    // Far below the 50 MB the body parser would have had to read to refuse it.
    expect(res.written).toBeLessThan(50 * 1024 * 1024);
  });

  it('answers 401 at once to a malformed, duplicated-t or stale header, and stores nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = ['v1=abc', `t=soon,v1=abc`, `t=${now}`, `t=${now - 3600},v1=${'0'.repeat(64)}`, `t=${now + 3600},v1=${'0'.repeat(64)}`];
    for (const signature of bad) {
      const res = await streamWebhook(api.url, { 'terra-signature': signature }, 60 * 1024 * 1024);
      expect({ signature, status: res.status }).toEqual({ signature, status: 401 });
    }
    const body = JSON.stringify({ type: 'healthcheck', status: 'success' });
    const doubled = `t=${now + 200},${signTerraBody(body)}`;
    expect((await postWebhook(api.url, body, { signature: doubled })).status).toBe(401);
    expect(await inboxCount()).toBe(0);
  });

  it('still accepts a valid delivery, and a wrong HMAC with a fresh t still gets the receiver\'s 401', async () => {
    const body = { type: 'healthcheck', status: 'success', trace: randomUUID() };
    const ok = await postWebhook(api.url, body, { traceId: randomUUID() });
    expect(ok).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const forged = await postWebhook(api.url, body, { signature: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
  });

  it('ignores an ordering timestamp later than the signed t allows and orders by t instead', async () => {
    const t = Math.floor(Date.now() / 1000);
    const farFuture = await postWebhook(api.url, { type: 'healthcheck', status: 'success', n: 1 }, { t, traceId: randomUUID(), orderingTimestamp: (t + 10 * 365 * 86_400) * 1000 });
    const plausible = await postWebhook(api.url, { type: 'healthcheck', status: 'success', n: 2 }, { t, traceId: randomUUID(), orderingTimestamp: t * 1000 - 1234 });
    const rows: { id: string; event_at: Date }[] = await db.dataSource.query(`SELECT id, event_at FROM webhook_events WHERE id = ANY($1) ORDER BY id`, [
      [farFuture.body.event_id, plausible.body.event_id],
    ]);
    expect(rows.map((row) => row.event_at.getTime())).toEqual([t * 1000, t * 1000 - 1234]);
  });
});
