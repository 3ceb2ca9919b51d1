import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig, type AppConfig } from '@terra-connections/config';
import { MetricsService } from '@terra-connections/observability';
import { WebhookJobName } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { createProducerQueue, TERRA_MAINTENANCE_QUEUE } from '@terra-connections/queue';
import { WorkerModule } from '../worker.module';
import { PRUNE_SCHEDULER_ID } from './webhook-schedules.service';

/** The worker app in this process: its schedule runs the inbox pruner, and a 0 interval removes the schedule. */
describe('Inbox prune schedule of the worker', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let queue: Queue;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('worker_prune');
    // testEnv turns pruning off; this suite turns it on. A job scheduler with `every` runs once at once.
    config = loadConfig(testEnv({ DATABASE_URL: db.url, INBOX_PRUNE_INTERVAL_MS: '600000', WEBHOOK_EVENTS_RETENTION_DAYS: '7', EVENTS_RETENTION_DAYS: '3' }));
    queue = createProducerQueue(config, TERRA_MAINTENANCE_QUEUE);
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
    await db?.drop();
  });

  async function processedRow(ageDays: number): Promise<string> {
    const [{ id }]: { id: string }[] = await db.dataSource.query(
      `INSERT INTO webhook_events (dedup_key, type, event_at, payload, status, received_at, processed_at)
       VALUES (gen_random_uuid()::text, 'daily', now(), '{}', 'processed', now() - make_interval(days => $1), now() - make_interval(days => $1))
       RETURNING id`,
      [ageDays],
    );
    return String(id);
  }

  const exists = async (id: string) =>
    (await db.dataSource.query(`SELECT 1 FROM webhook_events WHERE id = $1`, [id])).length > 0;

  async function outboundEvent(ageDays: number): Promise<string> {
    const [{ id }]: { id: string }[] = await db.dataSource.query(
      `INSERT INTO events (type, occurred_at, created_at) VALUES ('data.received', now(), now() - make_interval(days => $1)) RETURNING id`,
      [ageDays],
    );
    return String(id);
  }
  const eventExists = async (id: string) => (await db.dataSource.query(`SELECT 1 FROM events WHERE id = $1`, [id])).length > 0;

  it('registers the prune schedule, which deletes expired processed rows and events, and counts them', async () => {
    const expired = await processedRow(8);
    const recent = await processedRow(6);
    const expiredEvent = await outboundEvent(4);
    const recentEvent = await outboundEvent(2);
    // Both already dispatched: the pruner never takes an event the dispatcher has not passed (events-pruner spec).
    await db.dataSource.query(`UPDATE event_dispatch_position SET row_id = (SELECT max(id) FROM events)`);

    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();

    await waitFor(async () => !(await exists(expired)), { describe: 'the scheduled prune to delete the expired row' });
    expect(await exists(recent)).toBe(true);
    // The same job prunes the outbound events by EVENTS_RETENTION_DAYS.
    await waitFor(async () => !(await eventExists(expiredEvent)), { describe: 'the scheduled prune to delete the expired event' });
    expect(await eventExists(recentEvent)).toBe(true);

    const prune = (await queue.getJobSchedulers()).find((s) => s.key === PRUNE_SCHEDULER_ID);
    expect({ name: prune?.name, every: Number(prune?.every) }).toEqual({ name: WebhookJobName.PruneInbox, every: 600_000 });
    const completed = await waitFor(
      async () => (await queue.getCompleted()).find((job) => job.name === WebhookJobName.PruneInbox),
      { describe: 'the prune job to complete' },
    );
    expect(completed.returnvalue).toEqual({ deleted: 1, batches: 1, events: { deleted: 1, batches: 1 } });
    const metric = await worker.get(MetricsService).registry.getSingleMetricAsString('terra_webhook_events_pruned_total');
    expect(metric).toMatch(/^terra_webhook_events_pruned_total 1$/m);
  });

  it('removes the schedule when a worker starts with INBOX_PRUNE_INTERVAL_MS=0', async () => {
    await worker?.close();
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, INBOX_PRUNE_INTERVAL_MS: 0 }), { logger: false });
    await worker.init();
    const keys = (await queue.getJobSchedulers()).map((s) => s.key);
    expect(keys).toContain('sweep-inbox');
    expect(keys).not.toContain(PRUNE_SCHEDULER_ID);
  });
});
