import type { BackoffStrategy, JobsOptions } from 'bullmq';

/**
 * Retry and retention policy of the webhook queue, in one place. Every producer (the API's receiver, the
 * sweeper, the replay routes) builds its job options here, so a job behaves the same whoever enqueued it.
 */

/** Custom backoff registered on the worker (settings.backoffStrategy): exponential, capped, with jitter. */
export const WEBHOOK_BACKOFF_TYPE = 'terra-webhook-exponential';
/** Production first retry delay; tests shorten it with WEBHOOK_RETRY_BASE_DELAY_MS. */
export const WEBHOOK_RETRY_BASE_DELAY_MS = 5_000;
/** No single wait longer than this: a Postgres outage that ends is noticed within 10 minutes. */
export const WEBHOOK_RETRY_MAX_DELAY_MS = 10 * 60_000;
/** Each delay is drawn from [1 - jitter, 1] x the nominal one, so retries of a burst spread out. */
export const WEBHOOK_RETRY_JITTER = 0.2;
/**
 * 5 s doubling to the 10 min cap, then 10 min steps: 16 attempts span at least ~72 min even when every
 * delay draws its lowest jitter (webhook-job-options.spec.ts proves it stays above an hour).
 */
export const WEBHOOK_APPLY_ATTEMPTS = 16;

/** Completed jobs are only an audit trail (the inbox row is the record): keep a day, at most 10k. */
export const WEBHOOK_REMOVE_ON_COMPLETE = { age: 24 * 3600, count: 10_000 } as const;
/** Failed jobs are dead letters until replayed: kept 14 days. Never `removeOnFail: true`. */
export const WEBHOOK_REMOVE_ON_FAIL = { age: 14 * 24 * 3600, count: 100_000 } as const;

/** Nominal delay before retry number `retry` (1-based), before jitter. */
export function nominalWebhookRetryDelay(retry: number, baseDelayMs: number): number {
  return Math.min(baseDelayMs * 2 ** Math.max(0, retry - 1), Math.max(baseDelayMs, WEBHOOK_RETRY_MAX_DELAY_MS));
}

/** BullMQ calls this with attemptsMade (1 after the first failure); the base delay rides on the job. */
export const webhookBackoffStrategy: BackoffStrategy = (attemptsMade, _type, _error, job) => {
  const base = job?.opts.backoff && typeof job.opts.backoff === 'object' ? job.opts.backoff.delay : undefined;
  const nominal = nominalWebhookRetryDelay(attemptsMade, base ?? WEBHOOK_RETRY_BASE_DELAY_MS);
  return Math.round(nominal * (1 - WEBHOOK_RETRY_JITTER * Math.random()));
};

/** Options of an apply-webhook-event job. The jobId makes the API's add and the sweeper's add one job. */
export function applyEventJobOptions(jobId: string, baseDelayMs: number = WEBHOOK_RETRY_BASE_DELAY_MS): JobsOptions {
  return {
    jobId,
    attempts: WEBHOOK_APPLY_ATTEMPTS,
    backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: baseDelayMs },
    removeOnComplete: WEBHOOK_REMOVE_ON_COMPLETE,
    removeOnFail: WEBHOOK_REMOVE_ON_FAIL,
  };
}

/** Sweeps and reconciliations repeat on a schedule: a failed run is simply the next run's job. */
export const MAINTENANCE_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 3600, count: 100 },
  removeOnFail: { age: 14 * 24 * 3600, count: 1_000 },
};
