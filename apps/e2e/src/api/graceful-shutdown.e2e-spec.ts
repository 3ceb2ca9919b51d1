import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { loadConfig } from '@terra-connections/config';
import { redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { createTestDatabase, postWebhook, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { DistProcess } from '../support/dist-process';

const CLIENTS = 8;

const daily = () => ({
  type: 'daily',
  user: { user_id: randomUUID(), provider: 'GARMIN', reference_id: 'shutdown', scopes: null },
  data: [{ metadata: { start_time: '2025-11-04T00:00:00+00:00', end_time: '2025-11-04T23:59:59+00:00' }, distance_data: { steps: 1 } }],
});

type Outcome = { traceId: string; status: number } | { traceId: string; error: string };

/** Answers whether a fresh TCP connection to the port is refused. */
function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * SIGTERM to a real API process in the middle of a burst of signed webhooks (Terra's view: keep-alive
 * connections, requests in flight, retries on connection errors).
 */
describe('API graceful shutdown', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const processes: DistProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('api_shutdown');
    env = testEnv({ DATABASE_URL: db.url, WEBHOOK_RETRY_BASE_DELAY_MS: '100', INBOX_SWEEP_INTERVAL_MS: '300', INBOX_SWEEP_GRACE_MS: '0' });
  });

  afterAll(async () => {
    for (const app of processes) await app.stop();
    const config = loadConfig(env);
    const queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    await db?.drop();
  });

  it('refuses new connections, finishes the requests in flight, loses no 200, then exits', async () => {
    const api = await DistProcess.start('api', { ...env, LOG_LEVEL: 'info' });
    processes.push(api);
    const port = Number(/listening on (\d+)/.exec(api.log)![1]);
    const url = `http://127.0.0.1:${port}`;

    // The burst: clients send one delivery after another on keep-alive connections until the connection fails.
    const outcomes: Outcome[] = [];
    const client = async () => {
      for (;;) {
        const traceId = randomUUID();
        try {
          const res = await postWebhook(url, daily(), { traceId });
          outcomes.push({ traceId, status: res.status });
        } catch (error) {
          outcomes.push({ traceId, error: String((error as Error).cause ?? error) });
          return;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    await waitFor(() => outcomes.length >= 40, { describe: 'the burst to be under way' });

    // One more delivery held in flight: its insert waits on this uncommitted row with the same dedup key
    // (released well within the receiver's 5 s insert timeout).
    const heldTrace = randomUUID();
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      `INSERT INTO webhook_events (dedup_key, type, event_at, payload) VALUES ($1, 'daily', now(), '{}'::jsonb)`,
      [heldTrace],
    );
    let heldSettled = false;
    const held = postWebhook(url, daily(), { traceId: heldTrace }).finally(() => (heldSettled = true));
    await waitFor(
      async () => (await db.dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [db.name])).length > 0,
      { describe: 'the held delivery to wait on the row lock' },
    );

    api.signal('SIGTERM');
    await waitFor(() => refuses(port), { describe: 'new connections to be refused' });
    // Still draining: the held delivery has not been answered and the process is alive.
    expect(api.running).toBe(true);
    expect(heldSettled).toBe(false);

    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(await held).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const exit = await api.exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    await Promise.all(clients);
    // Drained, not cut at SHUTDOWN_TIMEOUT_MS: idle keep-alive connections did not hold the process open.
    expect(api.log).toMatch(/HTTP server drained/);
    expect(api.log).not.toMatch(/were cut/);

    const answered = outcomes.filter((o): o is Extract<Outcome, { status: number }> => 'status' in o);
    const failed = outcomes.filter((o): o is Extract<Outcome, { error: string }> => 'error' in o);
    expect(answered.filter((o) => o.status === 200).length).toBeGreaterThanOrEqual(40);
    expect(answered.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    expect(failed).toHaveLength(CLIENTS);

    // Every 200 is in the inbox; rows whose answer was lost with the connection are allowed (Terra retries
    // them as duplicates), but nothing is half-done: a worker started afterwards applies every row.
    const rows: { dedup_key: string }[] = await db.dataSource.query(`SELECT dedup_key FROM webhook_events`);
    const stored = new Set(rows.map((row) => row.dedup_key));
    const lost = answered.filter((o) => o.status === 200 && !stored.has(o.traceId));
    expect(lost).toEqual([]);
    expect(stored.has(heldTrace)).toBe(true);

    processes.push(await DistProcess.start('worker', env));
    await waitFor(
      async () => (await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events WHERE status <> 'processed'`))[0].n === 0,
      { timeoutMs: 20_000, describe: 'every stored delivery to be applied' },
    );
  }, 60_000);
});
