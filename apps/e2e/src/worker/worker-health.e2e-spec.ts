import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { readInboxJobId, redisConnectionOptions, TERRA_WEBHOOK_QUEUE, WebhookJobName } from '@terra-connections/queue';
import { describeTerraEvent } from '@terra-connections/terra';
import { createTestDatabase, TcpProxy, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { metricSample as sample } from '@terra-connections/observability';
import { applyEventJobOptions } from '@terra-connections/queue';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { DistProcess } from '../support/dist-process';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const daily = (userId: string) => ({
  type: 'daily',
  user: { user_id: userId, provider: 'OURA', reference_id: 'health-test', scopes: null },
  data: [{ metadata: { start_time: '2025-11-04T00:00:00+00:00', end_time: '2025-11-04T23:59:59+00:00' }, distance_data: { steps: 1 } }],
});

/** The worker's internal port as deployed: a real process, its Redis behind a proxy the test can cut. */
describe('worker health and metrics port', () => {
  let db: TestDatabase;
  let redis: TcpProxy;
  let queue: Queue;
  let worker: DistProcess;
  let base: string;
  let inbox: InboxWriter;

  beforeAll(async () => {
    db = await createTestDatabase('worker_health');
    redis = await TcpProxy.start({ port: Number(new URL(REDIS_URL).port || 6379) });
    const env = testEnv({ DATABASE_URL: db.url, REDIS_URL: redis.rewrite(REDIS_URL), WEBHOOK_RETRY_BASE_DELAY_MS: '100' });
    const config = loadConfig(env);
    queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(REDIS_URL), prefix: config.QUEUE_PREFIX });
    inbox = new InboxWriter(db.dataSource);
    worker = await DistProcess.start('worker', env);
    base = `http://127.0.0.1:${/health and metrics on port (\d+)/.exec(worker.log)![1]}`;
  });

  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await db?.drop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };

  async function applyDaily(): Promise<string> {
    const payload = daily(randomUUID());
    const { id } = await inbox.record({
      rawBody: JSON.stringify(payload),
      ...describeTerraEvent(payload)!,
      traceId: randomUUID(),
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    });
    await queue.add(WebhookJobName.ApplyEvent, { eventId: id, type: 'daily' }, applyEventJobOptions(await readInboxJobId(db.dataSource, id), 100));
    return id;
  }

  const processed = (id: string) => async () =>
    (await db.dataSource.query(`SELECT status FROM webhook_events WHERE id = $1`, [id]))[0]?.status === 'processed';

  it('is live, and ready once Postgres, the migrations and the consumer are', async () => {
    expect(await get('/health/live')).toMatchObject({ status: 200 });
    const ready = await waitFor(async () => {
      const res = await get('/health/ready');
      return res.status === 200 && res.json();
    }, { describe: 'the worker to be ready' });
    expect(ready).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, migrations: { status: 'up' }, worker: { status: 'up', concurrency: 8 } },
    });
    expect((await get('/nope')).status).toBe(404);
  });

  it('exposes job durations, attempts and queue depth after real jobs', async () => {
    const ids = [await applyDaily(), await applyDaily(), await applyDaily()];
    for (const id of ids) await waitFor(processed(id), { describe: `inbox row ${id} applied` });
    // A job for a name nobody processes fails for good; a delayed one waits an hour.
    await queue.add('no-such-job', {}, { attempts: 1, jobId: 'bogus-1' });
    await queue.add(WebhookJobName.ApplyEvent, { eventId: '999999', type: 'sleep' }, { delay: 3_600_000, jobId: 'later-1' });
    await waitFor(async () => (await queue.getJobState('bogus-1')) === 'failed', { describe: 'the bogus job to fail' });

    const metrics = await waitFor(async () => {
      const text = (await get('/metrics')).text;
      return sample(text, 'terra_queue_jobs', { queue: TERRA_WEBHOOK_QUEUE, state: 'failed' }) === 1 && text;
    }, { describe: 'the failed job to show in terra_queue_jobs' });
    expect(sample(metrics, 'terra_webhook_job_duration_seconds_count', { type: 'daily', outcome: 'applied' })).toBe(3);
    expect(sample(metrics, 'terra_webhook_job_attempts_count', { type: 'daily', result: 'completed' })).toBe(3);
    expect(sample(metrics, 'terra_webhook_job_attempts_sum', { type: 'daily', result: 'completed' })).toBe(3);
    expect(sample(metrics, 'terra_webhook_job_duration_seconds_count', { type: 'no-such-job', outcome: 'failed' })).toBe(1);
    expect(sample(metrics, 'terra_queue_jobs', { queue: TERRA_WEBHOOK_QUEUE, state: 'delayed' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'terra_queue_jobs', { queue: TERRA_WEBHOOK_QUEUE, state: 'waiting' })).toBe(0);
    expect(sample(metrics, 'terra_queue_oldest_waiting_job_age_seconds', { queue: TERRA_WEBHOOK_QUEUE })).toBe(0);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('turns unready when Redis is cut, stays live, and recovers and consumes again when it is back', async () => {
    redis.close();
    const down = await waitFor(async () => {
      const res = await get('/health/ready');
      return res.status === 503 && res.json();
    }, { describe: '/health/ready to answer 503 without Redis' });
    expect(down).toMatchObject({ status: 'error', error: { worker: { status: 'down' } } });
    expect((await get('/health/live')).status).toBe(200);
    // Scrapes still answer without Redis: the queue series are left out and the failure is counted.
    const metrics = await waitFor(async () => {
      const res = await get('/metrics');
      return res.status === 200 && sample(res.text, 'terra_metrics_collect_errors_total', { collector: 'terra_queue_jobs' }) !== undefined && res.text;
    }, { describe: 'the failed queue read to be counted' });
    expect(sample(metrics, 'terra_queue_jobs', { queue: TERRA_WEBHOOK_QUEUE, state: 'failed' })).toBeUndefined();

    redis.resume();
    await waitFor(async () => (await get('/health/ready')).status === 200, { timeoutMs: 30_000, describe: 'ready again' });
    const id = await applyDaily();
    await waitFor(processed(id), { timeoutMs: 30_000, describe: 'a job consumed after the outage' });
  }, 60_000);
});
