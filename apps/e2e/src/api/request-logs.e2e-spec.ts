import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import {
  createTestDatabase,
  loadTerraFixture,
  postWebhook,
  signTerraBody,
  TEST_ADMIN_KEY,
  TEST_API_KEY,
  TEST_WEBHOOK_SECRET,
  testEnv,
  waitFor,
  type TestDatabase,
} from '@terra-connections/testing';
import { DistProcess } from '../support/dist-process';

const DATA_FIXTURES = ['activity', 'sleep', 'daily'];

interface LogLine {
  level: number;
  msg: string;
  service: string;
  request_id?: string;
  [key: string]: unknown;
}

/**
 * Values that identify health data: long strings and fractional numbers anywhere under the fixture's `data`
 * (activity names, device names, summary ids, timestamps of samples, heart rates, distances, ...). Lower-case
 * enum words (`duration`) are vocabulary, not data, and are left out.
 */
function healthDataValues(json: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    else if (typeof value === 'string' && value.length >= 8 && !/^[a-z_]+$/.test(value)) found.add(value);
    else if (typeof value === 'number' && !Number.isInteger(value) && String(value).length >= 5) found.add(String(value));
  };
  walk(json);
  return [...found];
}

const parseLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** A full webhook flow through real API and worker processes, logging at debug, and what their logs hold. */
describe('logs of a full webhook flow', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const processes: DistProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('request_logs');
    env = testEnv({ DATABASE_URL: db.url, WEBHOOK_RETRY_BASE_DELAY_MS: '100' });
  });

  afterAll(async () => {
    for (const app of processes) await app.stop();
    const config = loadConfig(env);
    const queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    await db?.drop();
  });

  async function start(logLevel: string): Promise<{ api: DistProcess; worker: DistProcess; url: string }> {
    const [api, worker] = await Promise.all([
      DistProcess.start('api', { ...env, LOG_LEVEL: logLevel }),
      DistProcess.start('worker', { ...env, LOG_LEVEL: logLevel }),
    ]);
    processes.push(api, worker);
    return { api, worker, url: `http://127.0.0.1:${/listening on (\d+)/.exec(api.log)![1]}` };
  }

  const processed = (ids: string[]) => async () => {
    const rows: { status: string }[] = await db.dataSource.query(`SELECT status FROM webhook_events WHERE id = ANY($1::bigint[])`, [ids]);
    return rows.length === ids.length && rows.every((row) => row.status === 'processed');
  };

  it('are JSON lines, one per request, carry the request id into the worker, and hold no secret or health data', async () => {
    const { api, worker, url } = await start('debug');
    const deliveries = ['auth_success', ...DATA_FIXTURES].map((name) => ({ fixture: loadTerraFixture(name), requestId: `req-${name}-${randomUUID()}` }));
    const signatures: string[] = [];
    const eventIds: string[] = [];
    for (const { fixture, requestId } of deliveries) {
      const signature = signTerraBody(fixture.raw);
      signatures.push(signature.split('v1=')[1]);
      const res = await postWebhook(url, fixture.raw, { signature, traceId: randomUUID(), headers: { 'x-request-id': requestId } });
      expect(res.status).toBe(200);
      eventIds.push(String(res.body.event_id));
    }
    const forged = signTerraBody(loadTerraFixture('daily').raw, 'wrong-secret');
    signatures.push(forged.split('v1=')[1]);
    expect((await postWebhook(url, loadTerraFixture('daily').raw, { signature: forged })).status).toBe(401);
    const listed = await fetch(`${url}/v1/connections`, { headers: { authorization: `Bearer ${TEST_API_KEY}`, 'x-request-id': 'req-list' } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('x-request-id')).toBe('req-list');
    const minted = await fetch(`${url}/v1/webhook-events?status=failed`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    await waitFor(processed(eventIds), { timeoutMs: 20_000, describe: 'the four deliveries to be applied' });
    await waitFor(() => deliveries.every(({ requestId }) => worker.log.includes(requestId)), { describe: 'the worker to log every job' });
    // The API's lines go out in batches (at most 250 ms late): wait for its last logged request.
    await waitFor(() => api.log.includes('GET /v1/connections 200') && api.log.includes('GET /v1/webhook-events?status=failed 200'), {
      describe: 'the API to log its last requests',
    });

    const apiLines = parseLines(api.log);
    const workerLines = parseLines(worker.log);
    // Every line is JSON except the one plain start-up line each process prints for supervisors.
    expect(api.log.split('\n').filter((line) => line && !line.startsWith('{'))).toEqual([expect.stringMatching(/^terra-connections api listening on \d+$/)]);
    expect(worker.log.split('\n').filter((line) => line && !line.startsWith('{'))).toEqual([expect.stringMatching(/^terra-connections worker started/)]);
    expect(apiLines.every((line) => line.service === 'api' && typeof line.level === 'number')).toBe(true);
    expect(workerLines.every((line) => line.service === 'worker')).toBe(true);

    // One line per request, with method, url, status and the request id; probes and scrapes are not logged.
    const requestLines = apiLines.filter((line) => line.req);
    expect(requestLines.filter((line) => line.msg === 'POST /webhooks/terra 200')).toHaveLength(4);
    expect(requestLines.filter((line) => line.msg === 'POST /webhooks/terra 401')).toHaveLength(1);
    expect(requestLines.filter((line) => line.msg === 'GET /v1/connections 200')).toEqual([expect.objectContaining({ request_id: 'req-list' })]);
    expect(requestLines.filter((line) => /health|metrics/.test(line.msg))).toEqual([]);
    // The receiver's warning about the forged signature is bound to its request.
    const rejected = requestLines.find((line) => line.msg === 'POST /webhooks/terra 401')!;
    expect(apiLines).toContainEqual(expect.objectContaining({ context: 'TerraWebhookReceiver', request_id: rejected.request_id }));

    for (const { fixture, requestId } of deliveries) {
      expect({ requestId, api: apiLines.filter((line) => line.request_id === requestId).map((line) => line.msg) }).toEqual({
        requestId,
        api: ['POST /webhooks/terra 200'],
      });
      const jobLines = workerLines.filter((line) => line.request_id === requestId);
      expect({ requestId, worker: jobLines.map((line) => line.msg) }).toEqual({
        requestId,
        worker: expect.arrayContaining([expect.stringMatching(new RegExp(`\\(apply-webhook-event, ${fixture.json.type}\\) applied in \\d+ ms$`))]),
      });
    }

    const secrets = [TEST_WEBHOOK_SECRET, TEST_API_KEY, TEST_ADMIN_KEY, ...signatures];
    const healthData = DATA_FIXTURES.flatMap((name) => healthDataValues(loadTerraFixture(name).json.data));
    expect(healthData.length).toBeGreaterThan(100);
    for (const [name, output] of [['api', api.log], ['worker', worker.log]]) {
      expect({ name, leaked: secrets.filter((secret) => output.includes(secret)) }).toEqual({ name, leaked: [] });
      expect({ name, leaked: healthData.filter((value) => output.includes(value)) }).toEqual({ name, leaked: [] });
    }
  });

  it('prints nothing but the start-up lines with LOG_LEVEL=silent', async () => {
    const { api, worker, url } = await start('silent');
    const daily = loadTerraFixture('daily');
    const res = await postWebhook(url, daily.raw, { traceId: randomUUID() });
    expect((await postWebhook(url, daily.raw, { secret: 'wrong' })).status).toBe(401);
    await waitFor(processed([String(res.body.event_id)]), { describe: 'the delivery to be applied' });
    await api.stop();
    await worker.stop();
    expect(api.log.trim().split('\n')).toEqual([expect.stringMatching(/^terra-connections api listening on \d+$/)]);
    expect(worker.log.trim().split('\n')).toEqual([expect.stringMatching(/^terra-connections worker started/)]);
  });
});
