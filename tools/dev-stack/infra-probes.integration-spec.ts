import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { findFreePort, isPortFree } from '@terra-connections/process';
import { TEST_PG_ADMIN_URL } from '@terra-connections/testing';
import { createDatabase, probePostgres } from './postgres-probe';
import { probeRedis } from './redis-probe';

/** Against the machine's real Postgres and Redis (and a port where nothing listens). */
describe('infrastructure probes', () => {
  const name = `tc_test_devstack_probe_${randomBytes(3).toString('hex')}`;
  const url = (() => {
    const parsed = new URL(TEST_PG_ADMIN_URL);
    parsed.pathname = `/${name}`;
    return parsed.toString();
  })();

  afterAll(async () => {
    const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('tells a missing database from a missing server, and creates the database', async () => {
    await expect(probePostgres(url)).resolves.toEqual({ state: 'no-database' });
    await createDatabase(url);
    await createDatabase(url); // a second (racing) creation is fine
    await expect(probePostgres(url)).resolves.toEqual({ state: 'ready' });

    const closed = new URL(url);
    closed.port = String(await findFreePort());
    await expect(probePostgres(closed.toString())).resolves.toMatchObject({ state: 'unreachable', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('pings Redis, and reports a closed port as unreachable', async () => {
    await expect(probeRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379')).resolves.toEqual({ state: 'ready' });
    await expect(probeRedis(`redis://127.0.0.1:${await findFreePort()}`)).resolves.toMatchObject({ state: 'unreachable' });
  });

  it('sees a port in use as not free', async () => {
    const port = await findFreePort();
    await expect(isPortFree(port)).resolves.toBe(true);
    const { createServer } = await import('node:net');
    const server = createServer().listen(port, '0.0.0.0');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await expect(isPortFree(port)).resolves.toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
