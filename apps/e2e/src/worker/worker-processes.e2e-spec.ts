import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { readInboxJobId, redisConnectionOptions, TERRA_WEBHOOK_QUEUE, WebhookJobName } from '@terra-connections/queue';
import { describeTerraEvent } from '@terra-connections/terra';
import { createTestDatabase, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { applyEventJobOptions } from '@terra-connections/queue';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { DistProcess } from '../support/dist-process';


const dailyFor = (userId: string, day: string) => ({
  type: 'daily',
  version: '2022-03-16',
  user: { user_id: userId, provider: 'GARMIN', reference_id: 'procs', scopes: null },
  data: [{ metadata: { start_time: `${day}T00:00:00+00:00`, end_time: `${day}T23:59:59+00:00` }, distance_data: { steps: 1 } }],
});

/** Worker processes as deployed: several at once, and SIGTERM in the middle of a job. */
describe('worker processes', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let queue: Queue;
  let inbox: InboxWriter;
  const workers: DistProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('worker_procs');
    env = testEnv({ DATABASE_URL: db.url, RECONCILE_INTERVAL_MS: '0', WORKER_CONCURRENCY: '4', WEBHOOK_RETRY_BASE_DELAY_MS: '100' });
    const config = loadConfig(env);
    queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    inbox = new InboxWriter(db.dataSource);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await db?.drop();
  });

  async function store(payload: object): Promise<string> {
    const { id } = await inbox.record({
      rawBody: JSON.stringify(payload),
      ...describeTerraEvent(payload)!,
      traceId: randomUUID(),
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    });
    return id;
  }

  const inboxRow = async (id: string) => (await db.dataSource.query(`SELECT * FROM webhook_events WHERE id = $1`, [id]))[0];

  it('two workers at once apply each event once, even when an event is enqueued twice', async () => {
    workers.push(...(await Promise.all([DistProcess.start('worker', env), DistProcess.start('worker', env)])));
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push(await store(dailyFor(randomUUID(), '2025-11-04')));
    // Each row twice under different job ids: what a sweeper re-enqueue after the first job was trimmed does.
    const jobIds = new Map(await Promise.all(ids.map(async (id) => [id, await readInboxJobId(db.dataSource, id)] as const)));
    await queue.addBulk(
      ids.flatMap((id) => [
        { name: WebhookJobName.ApplyEvent, data: { eventId: id }, opts: applyEventJobOptions(jobIds.get(id)!, 100) },
        { name: WebhookJobName.ApplyEvent, data: { eventId: id }, opts: applyEventJobOptions(`dup-${id}`, 100) },
      ]),
    );
    const jobs = await waitFor(
      async () => {
        const all = await Promise.all(ids.flatMap((id) => [queue.getJob(jobIds.get(id)!), queue.getJob(`dup-${id}`)]));
        return all.every((job) => job?.finishedOn) ? all : undefined;
      },
      { timeoutMs: 20_000, describe: '60 jobs to finish on two workers' },
    );
    for (const [index, id] of ids.entries()) {
      const outcomes = [jobs[2 * index]!.returnvalue, jobs[2 * index + 1]!.returnvalue].sort();
      expect({ id, outcomes }).toEqual({ id, outcomes: ['already-processed', 'applied'] });
      expect(await inboxRow(id)).toMatchObject({ status: 'processed', attempts: 1 });
    }
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM health_data`)).toEqual([{ n: 30 }]);
    for (const worker of workers.splice(0)) expect(await worker.stop()).toMatchObject({ signal: 'SIGTERM' });
  });

  it('SIGTERM during a job: the job finishes, the event is applied exactly once, then the process exits', async () => {
    // Logging on: the drain is observed through the worker's own log line.
    const worker = await DistProcess.start('worker', { ...env, LOG_LEVEL: 'info' });
    workers.push(worker);
    const userId = randomUUID();
    const id = await store(dailyFor(userId, '2025-11-05'));

    // Hold the inbox row's lock so the job is provably in flight when the signal arrives.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM webhook_events WHERE id = $1 FOR UPDATE', [id]);
    try {
      const job = await queue.add(WebhookJobName.ApplyEvent, { eventId: id }, applyEventJobOptions(await readInboxJobId(db.dataSource, id), 100));
      await waitFor(async () => (await job.getState()) === 'active', { describe: 'the job to be taken' });
      worker.signal('SIGTERM');
      await worker.waitForOutput(/waiting for the jobs in flight/);
      expect(worker.running).toBe(true);
      expect(await job.getState()).toBe('active');
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }

    const exit = await worker.exited;
    expect(worker.log).toMatch(/Webhook worker drained/);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    const job = await queue.getJob(await readInboxJobId(db.dataSource, id));
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toBe('applied');
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
    expect(await inboxRow(id)).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await db.dataSource.query(`SELECT data_key FROM health_data WHERE terra_user_id = $1`, [userId])).toEqual([{ data_key: '2025-11-05' }]);
  });
});
