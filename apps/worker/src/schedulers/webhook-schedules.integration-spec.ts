import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { MAINTENANCE_JOB_OPTIONS, redisConnectionOptions, TERRA_MAINTENANCE_QUEUE, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { dropQueuePrefix, testEnv } from '@terra-connections/testing';
import { WebhookSchedules } from './webhook-schedules.service';

describe('WebhookSchedules (real Redis)', () => {
  const config = loadConfig(testEnv());
  let queue: Queue;
  let webhookQueue: Queue;

  beforeAll(async () => {
    const options = { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX };
    queue = new Queue(TERRA_MAINTENANCE_QUEUE, options);
    webhookQueue = new Queue(TERRA_WEBHOOK_QUEUE, options);
    await Promise.all([queue.waitUntilReady(), webhookQueue.waitUntilReady()]);
  });

  afterAll(async () => {
    await queue?.close();
    await webhookQueue?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  async function schedulers() {
    const all = await queue.getJobSchedulers();
    return all
      .map((s) => ({ id: s.key, name: s.name, every: s.every, opts: s.template?.opts }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  it('registers each maintenance job under its persisted scheduler id, and removes one whose interval is 0', async () => {
    const intervals = {
      INBOX_SWEEP_INTERVAL_MS: 30_000,
      RECONCILE_INTERVAL_MS: 3_600_000,
      INBOX_PRUNE_INTERVAL_MS: 600_000,
      FRESHNESS_CHECK_INTERVAL_MS: 900_000,
    };
    await new WebhookSchedules(queue, webhookQueue, { ...intervals, WEBHOOK_EVENTS_RETENTION_DAYS: 30, EVENTS_RETENTION_DAYS: 30 }).onApplicationBootstrap();
    expect(await schedulers()).toEqual([
      { id: 'evaluate-freshness', name: 'evaluate-freshness', every: 900_000, opts: expect.objectContaining(MAINTENANCE_JOB_OPTIONS) },
      { id: 'prune-inbox', name: 'prune-inbox', every: 600_000, opts: expect.objectContaining(MAINTENANCE_JOB_OPTIONS) },
      { id: 'reconcile-connections', name: 'reconcile-connections', every: 3_600_000, opts: expect.objectContaining(MAINTENANCE_JOB_OPTIONS) },
      { id: 'sweep-inbox', name: 'sweep-inbox', every: 30_000, opts: expect.objectContaining(MAINTENANCE_JOB_OPTIONS) },
    ]);

    // An events retention alone keeps the one prune job.
    await new WebhookSchedules(queue, webhookQueue, { ...intervals, WEBHOOK_EVENTS_RETENTION_DAYS: 0, EVENTS_RETENTION_DAYS: 30 }).onApplicationBootstrap();
    expect((await schedulers()).map((s) => s.id)).toContain('prune-inbox');
    // Retentions of 0 (keep forever) turn pruning off; the next deploy's bootstrap stops the old schedule.
    await new WebhookSchedules(queue, webhookQueue, { ...intervals, WEBHOOK_EVENTS_RETENTION_DAYS: 0, EVENTS_RETENTION_DAYS: 0 }).onApplicationBootstrap();
    expect((await schedulers()).map((s) => s.id)).toEqual(['evaluate-freshness', 'reconcile-connections', 'sweep-inbox']);
    // An interval of 0 stops the freshness job.
    await new WebhookSchedules(queue, webhookQueue, { ...intervals, FRESHNESS_CHECK_INTERVAL_MS: 0, WEBHOOK_EVENTS_RETENTION_DAYS: 0, EVENTS_RETENTION_DAYS: 0 }).onApplicationBootstrap();
    expect((await schedulers()).map((s) => s.id)).toEqual(['reconcile-connections', 'sweep-inbox']);
  });
});
