import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { readInboxJobId, redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import {
  createTestDatabase,
  postWebhook,
  TEST_ADMIN_KEY,
  TEST_API_KEY,
  testEnv,
  waitFor,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { DistProcess } from '../support/dist-process';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Bull Board at /admin/queues: behind an admin key, and absent when turned off. */
describe('queue dashboard', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const apis: ApiProcess[] = [];
  let worker: DistProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('queue_dashboard');
    env = testEnv({ DATABASE_URL: db.url, WEBHOOK_RETRY_BASE_DELAY_MS: '100' });
  });

  afterAll(async () => {
    await worker?.stop();
    for (const api of apis) await api.close();
    const config = loadConfig(env);
    const queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    await db?.drop();
  });

  async function boot(overrides: Record<string, string> = {}): Promise<ApiProcess> {
    const api = await startApiProcess({ ...env, ...overrides }, TEST_API_KEY);
    apis.push(api);
    return api;
  }

  const get = (api: ApiProcess, path: string, authorization?: string) =>
    fetch(`${api.url}${path}`, { headers: authorization ? { authorization } : {} });

  it('asks for credentials without a key, and refuses a service key or a wrong password', async () => {
    const api = await boot();
    const anonymous = await get(api, '/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="terra-connections admin"/);
    expect(await anonymous.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await get(api, '/admin/queues', `Bearer ${TEST_API_KEY}`)).status).toBe(401);
    expect((await get(api, '/admin/queues', basic('admin', 'wrong'))).status).toBe(401);
    expect((await get(api, '/admin/queues/api/queues', basic('admin', TEST_API_KEY))).status).toBe(401);
  });

  it('serves the dashboard and its API for an admin key, as a Basic password (any user) or a bearer key', async () => {
    const api = await boot();
    const page = await get(api, '/admin/queues', basic('anyone', TEST_ADMIN_KEY));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const bearer = await get(api, '/admin/queues/api/queues', `Bearer ${TEST_ADMIN_KEY}`);
    expect(bearer.status).toBe(200);
    const { queues } = (await bearer.json()) as { queues: { name: string }[] };
    expect(queues.map((q) => q.name)).toEqual(['terra-webhooks']);
  });

  it('is not there when BULL_BOARD_ENABLED=false', async () => {
    const api = await boot({ BULL_BOARD_ENABLED: 'false' });
    expect((await get(api, '/admin/queues', basic('admin', TEST_ADMIN_KEY))).status).toBe(404);
    expect((await get(api, '/admin/queues/api/queues', `Bearer ${TEST_ADMIN_KEY}`)).status).toBe(404);
  });

  it('retries a dead letter: the failed job re-run from the dashboard applies the event', async () => {
    const api = await boot();
    worker = await DistProcess.start('worker', env);
    const userId = randomUUID();
    // A daily event without its data array fails for good on the first attempt.
    const res = await postWebhook(api.url, { type: 'daily', user: { user_id: userId, provider: 'OURA', reference_id: 'dash', scopes: null } }, { traceId: randomUUID() });
    const id = String(res.body.event_id);
    const row = async () => (await db.dataSource.query(`SELECT status, last_error FROM webhook_events WHERE id = $1`, [id]))[0];
    await waitFor(async () => (await row()).status === 'failed', { describe: 'the event to become a dead letter' });
    expect((await row()).last_error).toMatch(/without a data array/);

    // The cause is fixed (here: the stored event itself), then an operator presses "retry" in Bull Board.
    await db.dataSource.query(
      `UPDATE webhook_events SET payload = jsonb_set(payload, '{data}', $2::jsonb) WHERE id = $1`,
      [id, JSON.stringify([{ metadata: { start_time: '2025-11-04T00:00:00+00:00', end_time: '2025-11-04T23:59:59+00:00' } }])],
    );
    const retried = await fetch(`${api.url}/admin/queues/api/queues/${TERRA_WEBHOOK_QUEUE}/${await readInboxJobId(db.dataSource, id)}/retry`, {
      method: 'PUT',
      headers: { authorization: basic('ops', TEST_ADMIN_KEY) },
    });
    expect(retried.status).toBeLessThan(300);
    await waitFor(async () => (await row()).status === 'processed', { describe: 'the retried dead letter to be applied' });
    expect(await db.dataSource.query(`SELECT data_key FROM health_data WHERE terra_user_id = $1`, [userId])).toEqual([{ data_key: '2025-11-04' }]);
  });
});
