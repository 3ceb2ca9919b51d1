import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { loadConfig, type AppConfig } from '@terra-connections/config';
import { readInboxJobId, readInboxJobRef, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { describeTerraEvent } from '@terra-connections/terra';
import { createTestDatabase, TcpProxy, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { createProducerQueue, legacyApplyEventJobId, nominalWebhookRetryDelay, TERRA_MAINTENANCE_QUEUE, WebhookEnqueuer } from '@terra-connections/queue';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { WorkerModule } from '../worker.module';

const auth = (userId: string) => ({
  type: 'auth',
  status: 'success',
  user: { user_id: userId, provider: 'OURA', reference_id: 'worker-test', scopes: 'daily' },
  reference_id: 'worker-test',
  widget_session_id: null,
});

/** The worker app in this process, its Postgres behind a proxy the test can cut. */
describe('TerraWebhookProcessor with Postgres going away', () => {
  let db: TestDatabase;
  let postgres: TcpProxy;
  let config: AppConfig;
  let worker: INestApplicationContext;
  let queue: Queue;
  let enqueuer: WebhookEnqueuer;
  let inbox: InboxWriter;

  beforeAll(async () => {
    // TypeORM reports each connection the proxy cuts as a pool warning: expected here, and noise.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    db = await createTestDatabase('worker_outage');
    postgres = await TcpProxy.start({ port: Number(new URL(db.url).port || 5432) });
    config = loadConfig(
      testEnv({
        DATABASE_URL: postgres.rewrite(db.url),
        WEBHOOK_RETRY_BASE_DELAY_MS: '100',
        INBOX_SWEEP_INTERVAL_MS: '300',
        INBOX_SWEEP_GRACE_MS: '500',
        RECONCILE_INTERVAL_MS: '0',
        WORKER_CONCURRENCY: '4',
      }),
    );
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    queue = createProducerQueue(config);
    enqueuer = new WebhookEnqueuer(queue, config);
    inbox = new InboxWriter(db.dataSource);
  });

  afterAll(async () => {
    await worker?.close();
    await postgres?.stop();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await db?.drop();
    jest.restoreAllMocks();
  });

  async function store(payload: object): Promise<string> {
    const rawBody = JSON.stringify(payload);
    const { id } = await inbox.record({
      rawBody,
      ...describeTerraEvent(payload)!,
      traceId: randomUUID(),
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    });
    return id;
  }

  const row = async (id: string) => (await db.dataSource.query(`SELECT * FROM webhook_events WHERE id = $1`, [id]))[0];

  it('retries jobs while Postgres is unreachable and lands them once it is back', async () => {
    const before = await store(auth(randomUUID()));
    await enqueuer.enqueueApply(await readInboxJobRef(db.dataSource, before));
    await waitFor(async () => (await row(before)).status === 'processed', { describe: 'a first event applied normally' });

    postgres.close();
    const users = Array.from({ length: 5 }, () => randomUUID());
    const ids: string[] = [];
    for (const userId of users) {
      const id = await store(auth(userId));
      ids.push(id);
      expect(await enqueuer.enqueueApply(await readInboxJobRef(db.dataSource, id))).toBe(true);
    }
    await waitFor(
      async () => {
        const jobs = await Promise.all(ids.map(async (id) => queue.getJob(await readInboxJobId(db.dataSource, id))));
        return jobs.every((job) => job && job.attemptsMade >= 2);
      },
      { timeoutMs: 15_000, describe: 'every job to fail at least twice while Postgres is down' },
    );
    expect((await Promise.all(ids.map(row))).map((r) => r.status)).toEqual(ids.map(() => 'pending'));

    postgres.resume();
    // On a loaded machine a job may have failed a few more times before the resume; its next retry then waits
    // that much longer (doubling from 100 ms), so each row gets its own job's remaining backoff on top.
    for (const id of ids) {
      const attemptsMade = (await queue.getJob(await readInboxJobId(db.dataSource, id)))?.attemptsMade ?? 0;
      const backoffMs = nominalWebhookRetryDelay(attemptsMade, 100);
      await waitFor(async () => (await row(id)).status === 'processed', { timeoutMs: 10_000 + backoffMs, describe: `row ${id} applied after recovery` });
      // The row commits inside the job; BullMQ marks the job completed in Redis just after the handler returns.
      const job = await waitFor(
        async () => {
          const found = await queue.getJob(await readInboxJobId(db.dataSource, id));
          return (await found?.getState()) === 'active' ? undefined : found;
        },
        { describe: `job of row ${id} to leave active` },
      );
      expect(await job.getState()).toBe('completed');
      // 'already-processed' when an attempt's COMMIT reached Postgres while the cut lost its answer: the retry
      // then finds the row done and applies nothing twice (the rows below hold each effect once).
      expect(['applied', 'already-processed']).toContain(job.returnvalue);
    }
    const connections = await db.dataSource.query(`SELECT status FROM terra_connections WHERE terra_user_id = ANY($1)`, [users]);
    expect(connections).toEqual(users.map(() => ({ status: 'active' })));
  }, 90_000);

  it('re-enqueues a pending row whose job already finished (the sweeper)', async () => {
    const id = await store(auth(randomUUID()));
    // A job under the row's id that finished without applying it, as after a lost replay enqueue.
    const jobId = await readInboxJobId(db.dataSource, id);
    await queue.add('apply-webhook-event', { eventId: '0' }, { jobId });
    await waitFor(async () => (await queue.getJob(jobId))?.returnvalue === 'missing', { describe: 'the stray job to complete' });
    await waitFor(async () => (await row(id)).status === 'processed', { timeoutMs: 10_000, describe: 'the sweeper to re-enqueue the row' });
  });

  it('fails a job with a name it has no processor for, without retrying it', async () => {
    const job = await queue.add('not-a-job-we-know', {}, { attempts: 5 });
    await waitFor(async () => (await job.getState()) === 'failed', { describe: 'the unknown job to fail' });
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain('No processor for job name not-a-job-we-know');
  });

  it('still applies a job enqueued under the id format before issue 12 (`evt-<id>`): the row id is in its payload', async () => {
    const id = await store(auth(randomUUID()));
    await queue.add('apply-webhook-event', { eventId: id, type: 'auth' }, { jobId: legacyApplyEventJobId(id) });
    await waitFor(async () => (await row(id)).status === 'processed', { timeoutMs: 10_000, describe: 'the legacy job to apply its row' });
    expect((await queue.getJob(legacyApplyEventJobId(id)))?.returnvalue).toBe('applied');
  });

  it('registers the inbox sweeper as a repeatable job', async () => {
    const maintenance = createProducerQueue(config, TERRA_MAINTENANCE_QUEUE);
    const schedulers = await maintenance.getJobSchedulers().finally(() => maintenance.close());
    expect(schedulers.map((s) => ({ key: s.key, every: Number(s.every) }))).toEqual([{ key: 'sweep-inbox', every: 300 }]);
    expect(TERRA_WEBHOOK_QUEUE).toBe(queue.name);
  });
});
