import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { metricSample } from '@terra-connections/observability';
import { redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import {
  createTestDatabase,
  loadTerraFixture,
  postWebhook,
  TcpProxy,
  TEST_API_KEY,
  testEnv,
  waitFor,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApi, type ApiUnderTest } from '../connections/connections-api.harness';

/** The API's /metrics after real traffic: HTTP, webhook outcomes, queue depth, connections. No worker runs. */
describe('API metrics', () => {
  let db: TestDatabase;
  let postgres: TcpProxy;
  let env: NodeJS.ProcessEnv;
  let api: ApiUnderTest;

  beforeAll(async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    db = await createTestDatabase('api_metrics');
    postgres = await TcpProxy.start({ port: Number(new URL(db.url).port || 5432) });
    env = testEnv({ DATABASE_URL: postgres.rewrite(db.url) });
    api = await startApi(env, TEST_API_KEY);
  });

  afterAll(async () => {
    await api?.close();
    await postgres?.stop();
    const config = loadConfig(env);
    const queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    await db?.drop();
    jest.restoreAllMocks();
  });

  const scrape = async () => {
    const res = await api.request('GET', '/metrics', { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  // First: the gauge is read at most every 15 s, so it must not have been scraped before the rows exist.
  it('reports connections by provider and status, stale connections, the oldest silence and drift corrections', async () => {
    await db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, provider, status)
       VALUES ($1, 'GARMIN', 'active'), ($2, 'GARMIN', 'active'), ($3, 'OURA', 'revoked')`,
      [randomUUID(), randomUUID(), randomUUID()],
    );
    await db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, provider, status, freshness, last_data_at, stale_since)
       VALUES ($1, 'POLAR', 'active', 'stale', now() - interval '2 days', now() - interval '1 day')`,
      [randomUUID()],
    );
    await db.dataSource.query(`INSERT INTO connection_drift (kind, terra_user_id) VALUES ('missed_auth', $1), ('missed_deauth', $2), ('missed_deauth', $3)`, [
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ]);
    const text = await scrape();
    expect(metricSample(text, 'terra_connections_stale', { provider: 'POLAR' })).toBe(1);
    expect(metricSample(text, 'terra_connections_stale', { provider: 'GARMIN' })).toBeUndefined();
    expect(metricSample(text, 'terra_connections_oldest_silence_seconds', {})).toBeGreaterThanOrEqual(2 * 86_400);
    expect(metricSample(text, 'drift_corrections_total', { kind: 'missed_deauth' })).toBe(2);
    expect(metricSample(text, 'drift_corrections_total', { kind: 'missed_auth' })).toBe(1);
    expect(text).toContain('# TYPE drift_corrections_total counter');
    expect(metricSample(text, 'terra_connections', { provider: 'GARMIN', status: 'active' })).toBe(2);
    expect(metricSample(text, 'terra_connections', { provider: 'OURA', status: 'revoked' })).toBe(1);
    expect(metricSample(text, 'terra_connections', { provider: 'OURA', status: 'active' })).toBeUndefined();
  });

  it('counts and times requests by route pattern and status', async () => {
    await api.request('GET', '/v1/connections');
    await api.request('GET', '/v1/connections', { key: null });
    await api.request('GET', `/v1/connections/${randomUUID()}`);
    await api.request('GET', '/no/such/route');
    const text = await scrape();
    const count = (route: string, status: string) => metricSample(text, 'http_requests_total', { method: 'GET', route, status });
    expect(count('/v1/connections', '200')).toBe(1);
    expect(count('/v1/connections', '401')).toBe(1);
    expect(count('/v1/connections/:id', '404')).toBe(1);
    expect(count('unmatched', '404')).toBe(1);
    const latency = { method: 'GET', route: '/v1/connections/:id', status: '404' };
    expect(metricSample(text, 'http_request_duration_seconds_count', latency)).toBe(1);
    expect(metricSample(text, 'http_request_duration_seconds_bucket', { ...latency, le: '+Inf' })).toBe(1);
    expect(metricSample(text, 'http_request_duration_seconds_sum', latency)).toBeGreaterThan(0);
  });

  it('counts webhooks by type and outcome, and shows the queued job waiting with its age', async () => {
    const daily = loadTerraFixture('daily');
    const traceId = randomUUID();
    expect((await postWebhook(api.url, daily.raw, { traceId })).status).toBe(200);
    expect((await postWebhook(api.url, daily.raw, { traceId })).body.status).toBe('duplicate');
    expect((await postWebhook(api.url, loadTerraFixture('sleep').raw, { traceId: randomUUID() })).body.status).toBe('accepted');
    expect((await postWebhook(api.url, daily.raw, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await postWebhook(api.url, 'not json')).status).toBe(400);
    postgres.close();
    expect((await postWebhook(api.url, loadTerraFixture('activity').raw, { traceId: randomUUID() })).status).toBe(503);
    postgres.resume();

    const text = await waitFor(async () => {
      const body = await scrape();
      return (metricSample(body, 'terra_queue_oldest_waiting_job_age_seconds', { queue: TERRA_WEBHOOK_QUEUE }) ?? 0) > 0 && body;
    }, { describe: 'the oldest waiting job to have an age' });
    const webhooks = (type: string, outcome: string) => metricSample(text, 'terra_webhooks_received_total', { type, outcome });
    expect(webhooks('daily', 'accepted')).toBe(1);
    expect(webhooks('daily', 'duplicate')).toBe(1);
    expect(webhooks('sleep', 'accepted')).toBe(1);
    expect(webhooks('unknown', 'rejected_signature')).toBe(1);
    expect(webhooks('unknown', 'rejected_body')).toBe(1);
    expect(webhooks('activity', 'unavailable')).toBe(1);
    expect(metricSample(text, 'http_requests_total', { method: 'POST', route: '/webhooks/terra', status: '200' })).toBe(3);
    expect(metricSample(text, 'terra_queue_jobs', { queue: TERRA_WEBHOOK_QUEUE, state: 'waiting' })).toBe(2);
    expect(metricSample(text, 'terra_queue_jobs', { queue: TERRA_WEBHOOK_QUEUE, state: 'active' })).toBe(0);
  });

});
