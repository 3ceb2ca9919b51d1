import { Queue } from 'bullmq';
import { loadConfig } from '@terra-connections/config';
import { dropQueuePrefix, testEnv } from '@terra-connections/testing';
import { MaintenanceEnqueuer } from './maintenance-queue';
import { redisConnectionOptions } from './queue.module';
import { WebhookEnqueuer } from './webhook-enqueuer';
import { applyEventJobOptions, MAINTENANCE_JOB_OPTIONS } from './webhook-job-options';
import { addWebhookJob, upsertWebhookJobScheduler } from './webhook-jobs';
import { TERRA_WEBHOOK_QUEUE, WebhookJobName } from './webhook-queue.contract';

// Compile-time half of the door, checked by tsc (`npm run lint`): each call below must fail to compile, and
// an @ts-expect-error with nothing to expect is itself an error. Never called.
function _wrongPayloadsDoNotCompile(queue: Queue, nameKnownAtRunTime: WebhookJobName): void {
  // @ts-expect-error an apply job without the inbox row id
  void addWebhookJob(queue, WebhookJobName.ApplyEvent, {}, {});
  // @ts-expect-error an apply job's payload on a sweep
  void addWebhookJob(queue, WebhookJobName.SweepInbox, { eventId: '1' }, {});
  // @ts-expect-error a payload that fits one job cannot ride on a name that may be another
  void addWebhookJob(queue, nameKnownAtRunTime, {}, {});
  // @ts-expect-error repeatable jobs go through the same check
  void upsertWebhookJobScheduler(queue, 'apply-every-minute', { every: 60_000 }, WebhookJobName.ApplyEvent, {}, {});
}

describe('the webhook job door (real Redis)', () => {
  const config = loadConfig(testEnv());
  let queue: Queue;

  beforeAll(async () => {
    queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await queue.waitUntilReady();
  });

  afterAll(async () => {
    await queue?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  it("lands the receiver's apply job under the row's job id, with its payload and retry options", async () => {
    const enqueuer = new WebhookEnqueuer(queue, { WEBHOOK_RETRY_BASE_DELAY_MS: 250 });
    // received_at 2026-12-03T00:00:00.000001Z, in microseconds since the epoch.
    expect(await enqueuer.enqueueApply({ id: '42', receivedAtUs: '1796256000000001' }, 'req-1', 'daily')).toBe(true);

    const jobId = `evt-42-${(1796256000000001n).toString(36)}`;
    const job = await queue.getJob(jobId);
    expect({ name: job?.name, data: job?.data }).toEqual({
      name: 'apply-webhook-event',
      data: { eventId: '42', requestId: 'req-1', type: 'daily' },
    });
    expect(job?.opts).toMatchObject(applyEventJobOptions(jobId, 250));
    expect(job?.opts).toMatchObject({ attempts: 16, backoff: { type: 'terra-webhook-exponential', delay: 250 } });
  });

  it('collapses a second add of the same row into the first job: the id goes through as given', async () => {
    const first = await addWebhookJob(queue, WebhookJobName.ApplyEvent, { eventId: '43' }, applyEventJobOptions('evt-43'));
    const again = await addWebhookJob(queue, WebhookJobName.ApplyEvent, { eventId: '43', type: 'sleep' }, applyEventJobOptions('evt-43'));
    expect(again.id).toBe(first.id);
    expect((await queue.getJob('evt-43'))?.data).toEqual({ eventId: '43' });
  });

  it('lands a reconciliation on demand as a one-attempt maintenance job', async () => {
    const jobId = await new MaintenanceEnqueuer(queue).enqueueReconcile();
    expect(jobId).toMatch(/^reconcile-manual-\d+$/);

    const job = await queue.getJob(jobId);
    expect({ name: job?.name, data: job?.data }).toEqual({ name: 'reconcile-connections', data: {} });
    expect(job?.opts).toMatchObject(MAINTENANCE_JOB_OPTIONS);
  });

  it('registers a repeatable job under its scheduler id, name, interval and options', async () => {
    await upsertWebhookJobScheduler(queue, 'sweep-inbox', { every: 60_000 }, WebhookJobName.SweepInbox, {}, MAINTENANCE_JOB_OPTIONS);

    const scheduler = await queue.getJobScheduler('sweep-inbox');
    expect(scheduler).toMatchObject({ key: 'sweep-inbox', name: 'sweep-inbox', every: 60_000 });
    expect(scheduler?.template?.opts).toMatchObject(MAINTENANCE_JOB_OPTIONS);
    const runs = await queue.getJobs(['waiting', 'delayed']);
    const run = runs.find((job) => job.name === WebhookJobName.SweepInbox);
    expect({ data: run?.data, attempts: run?.opts.attempts }).toEqual({ data: {}, attempts: 1 });
  });
});
