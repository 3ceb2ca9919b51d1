import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig, type AppConfig } from '@terra-connections/config';
import { createProducerQueue, TERRA_MAINTENANCE_QUEUE, WebhookEnqueuer, WebhookJobName } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { WorkerModule } from '../worker.module';

/**
 * issue 12: BullMQ trims a queue's finished lists by count whatever the job name. With the sweep on the
 * webhook queue, every sweep (removeOnComplete count 100) cut the webhook jobs' history to 100. On their own
 * queue the maintenance runs leave the webhook queue's history alone.
 */
describe('maintenance jobs on their own queue', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let worker: INestApplicationContext;
  let webhooks: Queue;
  let maintenance: Queue;

  beforeAll(async () => {
    db = await createTestDatabase('maintenance_queue');
    config = loadConfig(testEnv({ DATABASE_URL: db.url, INBOX_SWEEP_INTERVAL_MS: '100', INBOX_SWEEP_GRACE_MS: '600000', WORKER_CONCURRENCY: '8' }));
    webhooks = createProducerQueue(config);
    maintenance = createProducerQueue(config, TERRA_MAINTENANCE_QUEUE);
  });

  afterAll(async () => {
    await worker?.close();
    await webhooks?.close();
    await maintenance?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
    await db?.drop();
  });

  it('keeps more than 100 completed and failed webhook jobs while sweeps keep completing', async () => {
    const inbox = new InboxWriter(db.dataSource);
    const enqueuer = new WebhookEnqueuer(webhooks, config);
    const now = Math.floor(Date.now() / 1000);
    // 150 that apply, 120 that fail for good (a data event without its user): dead letters.
    for (let i = 0; i < 270; i += 1) {
      const ok = i < 150;
      const body = ok ? { type: 'healthcheck', status: 'success', n: i } : { type: 'daily', data: [], n: i };
      const stored = await inbox.record({ rawBody: JSON.stringify(body), signatureTimestampSeconds: now });
      await enqueuer.enqueueApply(stored, undefined, body.type);
    }
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();

    await waitFor(async () => (await webhooks.getCompletedCount()) + (await webhooks.getFailedCount()) === 270, { timeoutMs: 30_000, describe: '270 webhook jobs finished' });
    const sweepsBefore = await maintenance.getCompletedCount();
    await waitFor(async () => (await maintenance.getCompletedCount()) >= sweepsBefore + 3, { describe: 'three more sweeps completed' });

    expect(await webhooks.getCompletedCount()).toBe(150);
    expect(await webhooks.getFailedCount()).toBe(120);
    const names = new Set((await webhooks.getJobs(['completed', 'failed', 'waiting', 'delayed'])).map((job) => job.name));
    expect([...names]).toEqual([WebhookJobName.ApplyEvent]);
    expect((await maintenance.getJobSchedulers()).map((s) => s.key)).toContain('sweep-inbox');
    expect(await webhooks.getJobSchedulers()).toEqual([]);
  });
});
