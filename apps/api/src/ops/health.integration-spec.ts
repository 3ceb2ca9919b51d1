import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runMigrations } from '@terra-connections/persistence';
import { createTestDatabase, TcpProxy, TEST_API_KEY, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { startApi, type ApiUnderTest } from '../connections/connections-api.harness';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** /health/live and /health/ready of the API, with Postgres and Redis behind proxies the test can cut. */
describe('API health endpoints', () => {
  let db: TestDatabase;
  let postgres: TcpProxy;
  let redis: TcpProxy;
  let api: ApiUnderTest;

  beforeAll(async () => {
    // TypeORM reports each connection a proxy cuts as a pool warning: expected here, and noise.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    db = await createTestDatabase('api_health');
    postgres = await TcpProxy.start({ port: Number(new URL(db.url).port || 5432) });
    redis = await TcpProxy.start({ port: Number(new URL(REDIS_URL).port || 6379) });
    api = await startApi(testEnv({ DATABASE_URL: postgres.rewrite(db.url), REDIS_URL: redis.rewrite(REDIS_URL) }), TEST_API_KEY);
  });

  afterAll(async () => {
    await api?.close();
    await postgres?.stop();
    await redis?.stop();
    await db?.drop();
    jest.restoreAllMocks();
  });

  const ready = () => api.request('GET', '/health/ready', { key: null });
  const readyIs = (status: number) => async () => {
    const res = await ready();
    return res.status === status && res.body;
  };

  it('answers live and ready without an API key when everything is up', async () => {
    const live = await api.request('GET', '/health/live', { key: null });
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('is unready while Redis is unreachable, and ready again when it is back', async () => {
    redis.close();
    const body = await waitFor(readyIs(503), { describe: '/health/ready to answer 503 without Redis' });
    expect(body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } }, info: { postgres: { status: 'up' } } });
    expect((await api.request('GET', '/health/live', { key: null })).status).toBe(200);
    redis.resume();
    await waitFor(readyIs(200), { timeoutMs: 20_000, describe: 'ready again once Redis is back' });
  });

  it('is unready while Postgres is unreachable, and ready again when it is back', async () => {
    postgres.close();
    const body = await waitFor(readyIs(503), { describe: '/health/ready to answer 503 without Postgres' });
    expect(body).toMatchObject({ error: { postgres: { status: 'down' } }, info: { redis: { status: 'up' } } });
    postgres.resume();
    await waitFor(readyIs(200), { timeoutMs: 20_000, describe: 'ready again once Postgres is back' });
  });

  it('is unready while a migration is pending', async () => {
    await db.dataSource.undoLastMigration({ transaction: 'each' });
    const res = await ready();
    expect(res.status).toBe(503);
    expect(res.body.error.migrations).toMatchObject({ status: 'down', pending: [db.dataSource.migrations[db.dataSource.migrations.length - 1].name] });
    await runMigrations(db.dataSource);
    expect((await ready()).status).toBe(200);
  });

  it('serves the Swagger UI at /docs and the committed document at /docs/openapi.json', async () => {
    const ui = await api.request('GET', '/docs', { key: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger-ui/i);
    const served = await api.request('GET', '/docs/openapi.json', { key: null });
    expect(served.status).toBe(200);
    const committed = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8'));
    expect(served.body).toEqual(committed);
  });
});
