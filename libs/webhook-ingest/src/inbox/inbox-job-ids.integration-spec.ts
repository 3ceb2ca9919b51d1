import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { createScratchDatabase } from '@terra-connections/persistence';
import { applyEventJobId, createProducerQueue, redisConnectionOptions, TERRA_WEBHOOK_QUEUE, WebhookEnqueuer } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, TEST_PG_ADMIN_URL, testEnv, waitFor } from '@terra-connections/testing';
import { InboxWriter, type InboxRecordResult } from './inbox-writer';

const run = promisify(execFile);

/**
 * issue 12: Redis outlives a database. When the database is recreated, or restored from a dump, its new inbox
 * rows must not take the job ids of finished jobs Redis still holds, or BullMQ's add is a silent no-op and the
 * event waits for the sweeper.
 */
describe('inbox job ids across databases', () => {
  const config = loadConfig(testEnv());
  const queue = createProducerQueue(config);
  const enqueuer = new WebhookEnqueuer(queue, config);
  /** What the stand-in worker ran: the job and the row it named, and when. */
  const ran: { jobId: string; eventId: string; at: number }[] = [];
  let consumer: Worker;

  beforeAll(() => {
    consumer = new Worker(
      TERRA_WEBHOOK_QUEUE,
      async (job) => {
        ran.push({ jobId: String(job.id), eventId: job.data.eventId, at: Date.now() });
        return 'applied';
      },
      { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX },
    );
  });

  afterAll(async () => {
    await consumer.close();
    await queue.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  let sequence = 0;
  async function storeAndEnqueue(db: { dataSource: ConstructorParameters<typeof InboxWriter>[0] }): Promise<InboxRecordResult> {
    const stored = await new InboxWriter(db.dataSource).record({
      rawBody: JSON.stringify({ type: 'healthcheck', status: 'success', n: (sequence += 1) }),
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    });
    expect(await enqueuer.enqueueApply(stored, undefined, 'healthcheck')).toBe(true);
    return stored;
  }

  const ranAfter = (since: number, ids: string[]) => ids.every((id) => ran.some((entry) => entry.eventId === id && entry.at >= since));

  it('enqueues the first row of a recreated database at once, while Redis still holds the old jobs', async () => {
    const before = await createTestDatabase('job_ids_before');
    const old = await storeAndEnqueue(before);
    await waitFor(async () => (await queue.getJob(applyEventJobId(old.id, old.receivedAtUs)))?.returnvalue === 'applied', { describe: 'the old job to complete' });
    await before.drop();

    const after = await createTestDatabase('job_ids_after');
    try {
      const since = Date.now();
      const fresh = await storeAndEnqueue(after);
      expect(fresh.id).not.toBe(old.id);
      await waitFor(async () => ranAfter(since, [fresh.id]), { timeoutMs: 10_000, describe: 'the new row to be applied by its own job' });
    } finally {
      await after.drop();
    }
  });

  it('applies the first rows of a database restored from a dump at once, though their ids are reused', async () => {
    const source = await createTestDatabase('job_ids_dumped');
    const dump = join(tmpdir(), `${source.name}.dump`);
    try {
      const early = await storeAndEnqueue(source);
      await waitFor(async () => ranAfter(0, [early.id]), { describe: 'the row before the dump to be applied' });
      await run('pg_dump', ['--format=custom', '--file', dump, source.url]);
      // Stored after the dump was taken: the restore loses these rows, Redis keeps their finished jobs.
      const lost = [await storeAndEnqueue(source), await storeAndEnqueue(source), await storeAndEnqueue(source)];
      await waitFor(async () => ranAfter(0, lost.map((row) => row.id)), { describe: 'the rows after the dump to be applied' });
      await source.drop();

      const restored = await createScratchDatabase({
        adminUrl: TEST_PG_ADMIN_URL,
        prefix: 'tc_test',
        label: 'job_ids_restored',
        poolSize: 2,
        applicationName: 'test-job-ids-restored',
        migrate: false,
      });
      try {
        await run('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored.url, dump]);
        const since = Date.now();
        const fresh = [await storeAndEnqueue(restored), await storeAndEnqueue(restored), await storeAndEnqueue(restored)];
        // What makes this the restore case: the dump brought the sequence back, so the ids are handed out again.
        expect(fresh.map((row) => row.id)).toEqual(lost.map((row) => row.id));
        expect(await restored.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`)).toEqual([{ n: 4 }]);
        // No sweeper runs here: each row is applied by the job its own enqueue added, within seconds.
        await waitFor(async () => ranAfter(since, fresh.map((row) => row.id)), { timeoutMs: 10_000, describe: 'the new rows to be applied by their own jobs' });
        const jobIds = ran.filter((entry) => entry.at >= since).map((entry) => entry.jobId);
        expect(jobIds).toEqual(expect.arrayContaining(fresh.map((row) => applyEventJobId(row.id, row.receivedAtUs))));
        expect(jobIds).not.toEqual(expect.arrayContaining([applyEventJobId(lost[0].id, lost[0].receivedAtUs)]));
      } finally {
        await restored.drop();
      }
    } finally {
      await source.drop();
      await rm(dump, { force: true });
    }
  }, 60_000);

  it('starts each database at its own point, below 2^53', async () => {
    const [a, b] = await Promise.all([createTestDatabase('job_ids_a'), createTestDatabase('job_ids_b')]);
    try {
      const next = async (db: typeof a) => BigInt((await db.dataSource.query(`SELECT nextval(pg_get_serial_sequence('webhook_events', 'id'))::text AS id`))[0].id);
      const [idA, idB] = [await next(a), await next(b)];
      expect(idA).not.toBe(idB);
      for (const id of [idA, idB]) {
        expect(id).toBeGreaterThanOrEqual(2n ** 40n);
        expect(id).toBeLessThan(2n ** 53n);
      }
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
