import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfig } from '@terra-connections/config';
import {
  addWebhookJob,
  applyEventJobOptions,
  legacyApplyEventJobId,
  readInboxJobId,
  redisConnectionOptions,
  TERRA_WEBHOOK_QUEUE,
  WebhookJobName,
} from '@terra-connections/queue';
import { createTestDatabase, testEnv, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { ABANDONED_EVENT_ERROR, STALLED_JOB_REASON } from '../apply/abandoned-event';
import { InboxSweeper } from './inbox-sweeper';

describe('InboxSweeper (real Postgres and Redis)', () => {
  let db: TestDatabase;
  let queue: Queue;
  let writer: InboxWriter;
  let sweeper: InboxSweeper;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('sweeper');
    const config = loadConfig(testEnv({ DATABASE_URL: db.url }));
    queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    writer = new InboxWriter(db.dataSource);
    sweeper = new InboxSweeper(db.dataSource, queue, { INBOX_SWEEP_GRACE_MS: 0, WEBHOOK_RETRY_BASE_DELAY_MS: 100 });
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await db?.drop();
  });

  async function pendingRow(): Promise<string> {
    const { id } = await writer.record({
      rawBody: JSON.stringify({ type: 'healthcheck', status: 'success', n: randomUUID() }),
      traceId: randomUUID(),
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    });
    await db.dataSource.query(`UPDATE webhook_events SET received_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    return id;
  }

  it('re-adds a pending row whose job hash is left in no list (state unknown)', async () => {
    const id = await pendingRow();
    const jobId = await readInboxJobId(db.dataSource, id);
    await addWebhookJob(queue, WebhookJobName.ApplyEvent, { eventId: id, type: 'healthcheck' }, applyEventJobOptions(jobId, 100));
    // The hash stays, the job is in no list: what a failover mid-move can leave behind.
    // BullMQ types its connection loosely; at runtime it is the ioredis client.
    const redis = (await queue.client) as unknown as Redis;
    await redis.lrem(queue.toKey('wait'), 0, jobId);
    expect(await (await queue.getJob(jobId))!.getState()).toBe('unknown');

    await sweeper.sweep();
    expect(await (await queue.getJob(jobId))!.getState()).toBe('waiting');
  });

  it('ends as failed, without a new job, a pending row whose job BullMQ failed for stalling (a payload that kills its worker)', async () => {
    // A queue of its own: the consumer below must take this row's job, not one another test left waiting.
    const own = new Queue(TERRA_WEBHOOK_QUEUE, { connection: queue.opts.connection, prefix: `${queue.opts.prefix}-stalled` });
    const consumer = new Worker(TERRA_WEBHOOK_QUEUE, null, { connection: queue.opts.connection, prefix: own.opts.prefix });
    try {
      const id = await pendingRow();
      const jobId = await readInboxJobId(db.dataSource, id);
      await addWebhookJob(own, WebhookJobName.ApplyEvent, { eventId: id, type: 'healthcheck' }, applyEventJobOptions(jobId, 100));
      // What BullMQ does to a job that stalled past maxStalledCount, by hand: taken, then failed with its reason.
      const job = (await consumer.getNextJob('crashed-worker'))!;
      expect(job.id).toBe(jobId);
      await job.moveToFailed(new UnrecoverableError(STALLED_JOB_REASON), 'crashed-worker');

      const ownSweeper = new InboxSweeper(db.dataSource, own, { INBOX_SWEEP_GRACE_MS: 0, WEBHOOK_RETRY_BASE_DELAY_MS: 100 });
      await ownSweeper.sweep();
      await ownSweeper.sweep();
      const [row] = await db.dataSource.query(`SELECT status, attempts, last_error FROM webhook_events WHERE id = $1`, [id]);
      expect(row).toEqual({ status: 'failed', attempts: 1, last_error: ABANDONED_EVENT_ERROR });
      const kept = (await own.getJob(jobId))!;
      expect(await kept.getState()).toBe('failed');
      expect(kept.failedReason).toBe(STALLED_JOB_REASON);
    } finally {
      await consumer.close();
      await own.obliterate({ force: true });
      await own.close();
    }
  });

  it('leaves a row alone while a job under the id format before issue 12 (`evt-<id>`) waits for it', async () => {
    const id = await pendingRow();
    await addWebhookJob(queue, WebhookJobName.ApplyEvent, { eventId: id, type: 'healthcheck' }, applyEventJobOptions(legacyApplyEventJobId(id), 100));
    await sweeper.sweep();
    expect(await queue.getJob(await readInboxJobId(db.dataSource, id))).toBeUndefined();
    expect(await (await queue.getJob(legacyApplyEventJobId(id)))!.getState()).toBe('waiting');
  });

  it('leaves a waiting job alone', async () => {
    const waitingId = await pendingRow();
    const jobId = await readInboxJobId(db.dataSource, waitingId);
    await addWebhookJob(queue, WebhookJobName.ApplyEvent, { eventId: waitingId, type: 'healthcheck' }, applyEventJobOptions(jobId, 100));
    const before = await queue.getJob(jobId);
    await sweeper.sweep();
    const after = await queue.getJob(jobId);
    expect(after!.timestamp).toBe(before!.timestamp);
    expect(await after!.getState()).toBe('waiting');
  });
});
