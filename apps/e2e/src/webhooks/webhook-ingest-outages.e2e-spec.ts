import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { readInboxJobId, redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import {
  createTestDatabase,
  postWebhook,
  TcpProxy,
  TEST_API_KEY,
  testEnv,
  waitFor,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { DistProcess } from '../support/dist-process';

const auth = (userId: string) => ({
  type: 'auth',
  status: 'success',
  user: { user_id: userId, provider: 'FITBIT', reference_id: 'outage', scopes: 'sleep' },
  reference_id: 'outage',
  widget_session_id: null,
});

describe('webhook ingest when Redis or Postgres is down', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let worker: DistProcess;
  let queue: Queue;
  const proxies: TcpProxy[] = [];
  const apis: ApiProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('webhooks_outage');
    env = testEnv({
      DATABASE_URL: db.url,
      WEBHOOK_RETRY_BASE_DELAY_MS: '100',
      INBOX_SWEEP_INTERVAL_MS: '300',
      INBOX_SWEEP_GRACE_MS: '1000',
      RECONCILE_INTERVAL_MS: '0',
    });
    const config = loadConfig(env);
    queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    worker = await DistProcess.start('worker', env);
  });

  afterAll(async () => {
    await worker?.stop();
    for (const api of apis) await api.close();
    for (const proxy of proxies) await proxy.stop();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await db?.drop();
  });

  const inboxRow = async (id: unknown) => (await db.dataSource.query(`SELECT * FROM webhook_events WHERE id = $1`, [id]))[0];

  it('Redis unreachable at ingest: 200, stored, then swept onto the queue and applied', async () => {
    const redis = await TcpProxy.start({ port: Number(new URL(env.REDIS_URL!).port || 6379) }, 'closed');
    proxies.push(redis);
    const api = await startApiProcess({ ...env, REDIS_URL: redis.rewrite(env.REDIS_URL!) }, TEST_API_KEY);
    apis.push(api);

    const userId = randomUUID();
    const res = await postWebhook(api.url, auth(userId), { traceId: randomUUID(), headers: { 'x-request-id': 'req-redis-down' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
    const stored = await inboxRow(res.body.event_id);
    expect(stored).toMatchObject({ type: 'auth', terra_user_id: userId, request_id: 'req-redis-down' });

    const applied = await waitFor(
      async () => {
        const row = await inboxRow(res.body.event_id);
        return row.status === 'processed' ? row : undefined;
      },
      { timeoutMs: 15_000, describe: 'the sweeper to enqueue the stored row and the worker to apply it' },
    );
    expect(applied.attempts).toBe(1);
    // The API never reached Redis, so the sweeper enqueued this job; it carries the row's request id and
    // type, so the worker's log lines and metrics still lead back to the delivery.
    const job = await queue.getJob(await readInboxJobId(db.dataSource, String(res.body.event_id)));
    expect(job?.data).toEqual({ eventId: String(res.body.event_id), type: 'auth', requestId: 'req-redis-down' });
    const [connection] = await db.dataSource.query(`SELECT status FROM terra_connections WHERE terra_user_id = $1`, [userId]);
    expect(connection.status).toBe('active');
  });

  it('Postgres unreachable at ingest: 503 so Terra retries, and the retry is stored once it is back', async () => {
    const postgres = await TcpProxy.start({ port: Number(new URL(db.url).port || 5432) });
    proxies.push(postgres);
    const api = await startApiProcess({ ...env, DATABASE_URL: postgres.rewrite(db.url) }, TEST_API_KEY);
    apis.push(api);

    const userId = randomUUID();
    const body = JSON.stringify(auth(userId));
    const traceId = randomUUID();
    postgres.close();
    const down = await postWebhook(api.url, body, { traceId });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(await db.dataSource.query(`SELECT id FROM webhook_events WHERE terra_user_id = $1`, [userId])).toEqual([]);

    postgres.resume();
    const retried = await postWebhook(api.url, body, { traceId });
    expect(retried.status).toBe(200);
    await waitFor(async () => (await inboxRow(retried.body.event_id)).status === 'processed', { describe: 'the retried delivery applied' });
  });

  it('Postgres hanging at ingest: 503 before Terra gives up; an insert that lands late is still applied', async () => {
    const postgres = await TcpProxy.start({ port: Number(new URL(db.url).port || 5432) });
    proxies.push(postgres);
    const api = await startApiProcess({ ...env, DATABASE_URL: postgres.rewrite(db.url) }, TEST_API_KEY);
    apis.push(api);
    const userId = randomUUID();
    const body = JSON.stringify(auth(userId));
    const traceId = randomUUID();
    // Postgres hangs on a connection the API already holds: one opened during the hang would time out before it
    // sent the insert, and nothing could land late.
    expect((await api.request('GET', '/health/ready', { key: null })).status).toBe(200);

    postgres.pause();
    const hung = await postWebhook(api.url, body, { traceId });
    expect(hung.status).toBe(503);
    postgres.resume();

    // The insert that timed out commits once the network is back; Terra's retry is then a duplicate. Terra
    // retries tens of seconds later: wait for that commit rather than race it with a retry at once (with the
    // API in its own process, a retry sent right away can be stored first, and the late insert then dedups).
    await waitFor(async () => (await db.dataSource.query(`SELECT 1 FROM webhook_events WHERE dedup_key = $1`, [traceId])).length > 0, {
      describe: 'the late insert to commit',
    });
    const retried = await waitFor(
      async () => {
        const res = await postWebhook(api.url, body, { traceId });
        return res.status === 200 ? res : undefined;
      },
      { describe: 'the retry to be answered' },
    );
    expect(retried.body.status).toBe('duplicate');
    await waitFor(async () => (await inboxRow(retried.body.event_id)).status === 'processed', {
      timeoutMs: 15_000,
      describe: 'the late row swept and applied',
    });
  }, 30_000);
});
