import { Worker } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { applyEventJobId, createProducerQueue, redisConnectionOptions, TERRA_WEBHOOK_QUEUE, WebhookEnqueuer } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, testEnv, waitFor } from '@terra-connections/testing';
import { InboxWriter } from './inbox-writer';

/**
 * issue 12: Redis outlives a database. When the database is recreated (or a fresh one is pointed at the same
 * Redis and QUEUE_PREFIX), its first inbox rows must not take the job ids of the old database's finished jobs,
 * or BullMQ's add is a silent no-op and the event waits for the sweeper.
 */
describe('inbox job ids across databases', () => {
  const config = loadConfig(testEnv());

  afterAll(() => dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX));

  async function storeAndEnqueue(db: Awaited<ReturnType<typeof createTestDatabase>>, enqueuer: WebhookEnqueuer): Promise<string> {
    const stored = await new InboxWriter(db.dataSource).record({
      rawBody: JSON.stringify({ type: 'healthcheck', status: 'success' }),
      type: 'healthcheck',
      terraUserId: null,
      referenceId: null,
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    });
    expect(await enqueuer.enqueueApply(stored.id, undefined, 'healthcheck')).toBe(true);
    return stored.id;
  }

  it('enqueues the first row of a recreated database at once, while Redis still holds the old jobs', async () => {
    const queue = createProducerQueue(config);
    const enqueuer = new WebhookEnqueuer(queue, config);
    try {
      const before = await createTestDatabase('job_ids_before');
      const oldId = await storeAndEnqueue(before, enqueuer);
      // The old job runs and completes: its id stays taken in Redis.
      const consumer = new Worker(TERRA_WEBHOOK_QUEUE, async () => 'applied', { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
      await waitFor(async () => (await queue.getJob(applyEventJobId(oldId)))?.returnvalue === 'applied', { describe: 'the old job to complete' });
      await consumer.close();
      await before.drop();

      const after = await createTestDatabase('job_ids_after');
      try {
        const newId = await storeAndEnqueue(after, enqueuer);
        expect(newId).not.toBe(oldId);
        const job = await queue.getJob(applyEventJobId(newId));
        expect({ state: await job?.getState(), eventId: job?.data.eventId }).toEqual({ state: 'waiting', eventId: newId });
      } finally {
        await after.drop();
      }
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

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
