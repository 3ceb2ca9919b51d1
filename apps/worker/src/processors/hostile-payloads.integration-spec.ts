import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import fc from 'fast-check';
import { loadConfig, type AppConfig } from '@terra-connections/config';
import { addWebhookJob, applyEventJobOptions, createProducerQueue, readInboxJobId, WebhookEnqueuer, WebhookJobName } from '@terra-connections/queue';
import { describeTerraEvent, TerraEventType } from '@terra-connections/terra';
import { createTestDatabase, dropQueuePrefix, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { ABANDONED_EVENT_ERROR, STALLED_JOB_REASON } from '@terra-connections/webhook-apply';
import { InboxWriter, WebhookBodyRejectedError } from '@terra-connections/webhook-ingest';
import { WorkerModule } from '../worker.module';

interface Row {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/**
 * issue 12: whatever a signed event under a valid type holds, the worker applies it or fails it for good on the
 * first attempt. A payload error that would happen again must never be retried (16 attempts over an hour), and
 * the reason Redis keeps for it names the error, not our stack frames. The worker app runs in this process.
 */
describe('the worker under arbitrary payloads', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let worker: INestApplicationContext;
  let queue: Queue;
  let enqueuer: WebhookEnqueuer;
  let inbox: InboxWriter;

  beforeAll(async () => {
    db = await createTestDatabase('worker_hostile');
    // A retry would come after 50 ms and show as a second attempt well within the wait below.
    config = loadConfig(testEnv({ DATABASE_URL: db.url, WEBHOOK_RETRY_BASE_DELAY_MS: '50', INBOX_SWEEP_INTERVAL_MS: '600000', WORKER_CONCURRENCY: '4' }));
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();
    queue = createProducerQueue(config);
    enqueuer = new WebhookEnqueuer(queue, config);
    inbox = new InboxWriter(db.dataSource);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
    await db?.drop();
  });

  let sequence = 0;
  async function deliver(payload: Record<string, unknown>, rawBody = JSON.stringify(payload)): Promise<string> {
    const envelope = describeTerraEvent(JSON.parse(rawBody))!;
    const stored = await inbox.record({ rawBody, ...envelope, traceId: `hostile-${(sequence += 1)}-${Date.now()}`, signatureTimestampSeconds: Math.floor(Date.now() / 1000) });
    await enqueuer.enqueueApply(stored, undefined, envelope.type);
    return stored.id;
  }

  /** Every row ends processed or failed after exactly one attempt, and its dead letter carries no stack frame. */
  async function expectSettledOnce(ids: string[]): Promise<Row[]> {
    const rows = await waitFor(
      async () => {
        const found: Row[] = await db.dataSource.query(`SELECT id::text, status, attempts, last_error FROM webhook_events WHERE id = ANY($1)`, [ids]);
        return found.length === ids.length && found.every((row) => row.status !== 'pending') ? found : undefined;
      },
      { timeoutMs: 20_000, describe: `${ids.length} events applied or failed` },
    );
    for (const row of rows) {
      expect({ id: row.id, attempts: row.attempts, error: row.last_error }).toEqual({ id: row.id, attempts: 1, error: row.status === 'failed' ? expect.any(String) : null });
      if (row.status !== 'failed') continue;
      const job = await waitFor(async () => {
        const found = await queue.getJob(await readInboxJobId(db.dataSource, row.id));
        return found && (await found.getState()) === 'failed' ? found : undefined;
      });
      expect(job.attemptsMade).toBe(1);
      expect((job.stacktrace ?? []).join('\n')).not.toMatch(/\n\s+at |\.(?:ts|js):\d+/);
    }
    return rows;
  }

  it('fails an activity whose item holds a 10,000-deep array at once, not after 16 retries', async () => {
    // Written as text: building it through JSON.stringify would overflow here first.
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const raw = `{"type":"activity","user":{"user_id":"deep-user","provider":"GARMIN"},"data":[{"metadata":{"summary_id":"s-1","start_time":"2026-11-01T07:00:00Z"},"samples":${deep}}]}`;
    const id = await deliver({}, raw);
    const [row] = await expectSettledOnce([id]);
    expect(row).toMatchObject({ status: 'failed', last_error: expect.stringContaining('RangeError') });
  });

  it('keeps every item of an event when one holds a time Postgres cannot store, with that time unknown', async () => {
    const run = `times-${Date.now()}`;
    const starts = { bare: '1', offset: '2026-01-01T00:00:00+20:00', far: '+275760-09-13T00:00:00.000Z', ok: '2026-01-01T06:30:00+01:00' };
    const data = Object.entries(starts).map(([name, start_time]) => ({ metadata: { summary_id: `${run}-${name}`, start_time, end_time: start_time } }));
    const id = await deliver({ type: 'activity', user: { user_id: `${run}-user`, provider: 'GARMIN' }, data });
    const [row] = await expectSettledOnce([id]);
    expect(row.status).toBe('processed');
    const stored: { data_key: string; start_time: Date | null; end_time: Date | null }[] = await db.dataSource.query(
      `SELECT data_key, start_time, end_time FROM health_data WHERE data_key LIKE $1 ORDER BY data_key`,
      [`${run}-%`],
    );
    expect(stored).toEqual([
      { data_key: `${run}-bare`, start_time: null, end_time: null },
      { data_key: `${run}-far`, start_time: null, end_time: null },
      { data_key: `${run}-offset`, start_time: null, end_time: null },
      { data_key: `${run}-ok`, start_time: new Date('2026-01-01T05:30:00Z'), end_time: new Date('2026-01-01T05:30:00Z') },
    ]);
  });

  it('applies or fails for good, on the first attempt, any JSON under any event type', async () => {
    const text = fc.string({ maxLength: 24 });
    const dateish = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2026-02-30T00:00:00Z', '2026-13-01', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00', '294277-01-01T00:00:00Z', 'yesterday', ''),
      text,
    );
    const anything = fc.jsonValue({ maxDepth: 3 });
    const user = fc.oneof(
      fc.record(
        { user_id: fc.oneof(fc.uuid(), text, fc.string({ minLength: 60, maxLength: 300 })), provider: fc.oneof(text, anything), reference_id: fc.oneof(text, fc.string({ minLength: 250, maxLength: 400 }), anything), scopes: fc.oneof(text, anything), active: anything },
        { requiredKeys: [] },
      ),
      anything,
    );
    const item = fc.oneof(
      fc.record(
        {
          metadata: fc.oneof(fc.record({ start_time: dateish, end_time: dateish, summary_id: fc.oneof(text, fc.integer(), fc.double(), fc.string({ minLength: 190, maxLength: 260 }), anything) }, { requiredKeys: [] }), anything),
          data_enrichment: anything,
          scores: anything,
          other: anything,
        },
        { requiredKeys: [] },
      ),
      anything,
    );
    const payload = fc.record(
      {
        type: fc.constantFrom(...Object.values(TerraEventType)),
        user,
        old_user: user,
        new_user: user,
        reference_id: fc.oneof(text, anything),
        data: fc.oneof(fc.array(item, { maxLength: 4 }), anything),
        athlete: fc.oneof(item, anything),
        status: text,
        message: text,
      },
      { requiredKeys: ['type'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 25, maxLength: 25 }), async (payloads) => {
        // A user id, provider or reference longer than a connection holds is refused at ingest (never stored).
        const stored = await Promise.all(
          payloads.map((p) =>
            deliver(p as Record<string, unknown>).catch((error: unknown) => {
              if (error instanceof WebhookBodyRejectedError) return null;
              throw error;
            }),
          ),
        );
        await expectSettledOnce(stored.filter((id): id is string => id !== null));
      }),
      { numRuns: 3 },
    );
  });

  it('ends a row as failed when BullMQ gives up on its job for stalling (its payload killed the worker), so it is not run again', async () => {
    const stored = await inbox.record({ rawBody: JSON.stringify({ type: 'healthcheck', status: 'success', n: Date.now() }), signatureTimestampSeconds: Math.floor(Date.now() / 1000) });
    const jobId = await readInboxJobId(db.dataSource, stored.id);
    const job = await addWebhookJob(queue, WebhookJobName.ApplyEvent, { eventId: stored.id, type: 'healthcheck' }, { ...applyEventJobOptions(jobId, 50), delay: 500 });
    // What BullMQ's stalled check writes on a job that stalled past maxStalledCount (the worker running it died
    // each time): the next worker to take it fails it with this reason, without running it. No worker dies here.
    const redis = (await queue.client) as unknown as { hset(key: string, field: string, value: string): Promise<number> };
    await redis.hset(queue.toKey(job.id!), 'defa', STALLED_JOB_REASON);

    const row = await waitFor(async () => {
      const [found]: Row[] = await db.dataSource.query(`SELECT id::text, status, attempts, last_error FROM webhook_events WHERE id = $1`, [stored.id]);
      return found.status === 'pending' ? undefined : found;
    }, { timeoutMs: 10_000, describe: 'the abandoned row to end' });
    expect(row).toEqual({ id: stored.id, status: 'failed', attempts: 1, last_error: ABANDONED_EVENT_ERROR });
    expect((await queue.getJob(jobId))!.failedReason).toBe(STALLED_JOB_REASON);
  });
});
