import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, FakeTerraServer, TEST_API_KEY, waitFor, type TestDatabase } from '@terra-connections/testing';
import { startApiAgainstFakeTerra, type ApiUnderTest } from '../connections/connections-api.harness';

const MB = 1024 * 1024;

/**
 * Adversarial run F2: six concurrent reads of one 45 MB item took the API to 873 MB. A /data page holds its
 * payload bytes of DATA_READ_INFLIGHT_BYTES until it has been sent; a read the budget cannot take gets 503
 * with Retry-After, and reads work again once the first answer is out.
 */
describe('GET /v1/connections/{id}/data within the read budget (real API, real Postgres)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  let api: ApiUnderTest;
  let stalled: Socket | undefined;

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('data_read_budget'), FakeTerraServer.start()]);
    await db.dataSource.query(`INSERT INTO terra_connections (terra_user_id, reference_id, provider, status) VALUES ('budget-user', 'ref', 'GARMIN', 'active')`);
    // 24 MB of payload (more than loopback socket buffers take, so a reader that does not read stalls it), counted as the 45 MB item it stands for.
    const payload = JSON.stringify({ user: { user_id: 'budget-user' }, bio: randomBytes(18 * MB).toString('base64') });
    await db.dataSource.query(
      `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, payload, payload_bytes, event_at)
       SELECT connection_id, terra_user_id, 'athlete', 'athlete', $1::jsonb, $2, now() FROM terra_connections WHERE terra_user_id = 'budget-user'`,
      [payload, 45 * MB],
    );
    api = await startApiAgainstFakeTerra(db, fake, { DATA_READ_INFLIGHT_BYTES: '50mb' });
  }, 60_000);

  afterAll(async () => {
    stalled?.destroy();
    await api?.close();
    await fake?.close();
    await db?.drop();
  });

  it('answers 503 + Retry-After to a read the budget cannot take while another is being sent, and reads again after', async () => {
    const { port } = new URL(api.url);
    // A caller that asks and never reads: the answer cannot finish, so its bytes stay reserved.
    stalled = connect(Number(port), '127.0.0.1', () =>
      stalled!.write(`GET /v1/connections/budget-user/data HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\n\r\n`),
    );
    stalled.on('error', () => undefined);
    stalled.pause();

    let refused: Response | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${api.url}/v1/connections/budget-user/data`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
        if (res.status === 503) refused = res;
        else await res.arrayBuffer();
        return refused !== undefined;
      },
      { describe: 'a read refused while the first is held' },
    );
    expect(refused!.headers.get('retry-after')).toBe('5');
    expect(await refused!.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Too much health data being read at once; retry later' });

    stalled.destroy();
    await waitFor(async () => {
      const res = await fetch(`${api.url}/v1/connections/budget-user/data`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      const body = (await res.json()) as { data?: unknown[] };
      return res.status === 200 && body.data?.length === 1;
    }, { describe: 'reads to work again once the held answer is gone' });
    // Each answer sent gives its 45 MB back: reads one after another all fit the 50 MB budget.
    for (let n = 0; n < 3; n += 1) {
      const res = await fetch(`${api.url}/v1/connections/budget-user/data`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
  });
});
