import type { Job } from 'bullmq';
import { PRODUCTION_MIN_RETRY_BASE_DELAY_MS } from '@terra-connections/config';
import {
  applyEventJobOptions,
  nominalWebhookRetryDelay,
  WEBHOOK_APPLY_ATTEMPTS,
  WEBHOOK_RETRY_BASE_DELAY_MS,
  WEBHOOK_RETRY_JITTER,
  WEBHOOK_RETRY_MAX_DELAY_MS,
  webhookBackoffStrategy,
} from './webhook-job-options';

describe('webhook job options', () => {
  const shortestRetryWindow = (baseDelayMs: number) => {
    let total = 0;
    for (let retry = 1; retry < WEBHOOK_APPLY_ATTEMPTS; retry += 1) {
      total += nominalWebhookRetryDelay(retry, baseDelayMs) * (1 - WEBHOOK_RETRY_JITTER);
    }
    return total;
  };

  it('retries transient failures for at least an hour even at the lowest jitter', () => {
    expect(shortestRetryWindow(WEBHOOK_RETRY_BASE_DELAY_MS)).toBeGreaterThanOrEqual(3600_000);
  });

  it('still retries for an hour from the smallest base delay production accepts, and not from half of it', () => {
    expect(shortestRetryWindow(PRODUCTION_MIN_RETRY_BASE_DELAY_MS)).toBeGreaterThanOrEqual(3600_000);
    expect(shortestRetryWindow(PRODUCTION_MIN_RETRY_BASE_DELAY_MS / 2)).toBeLessThan(3600_000);
  });

  it('doubles from the base delay and caps each wait', () => {
    expect(nominalWebhookRetryDelay(1, 5_000)).toBe(5_000);
    expect(nominalWebhookRetryDelay(2, 5_000)).toBe(10_000);
    expect(nominalWebhookRetryDelay(30, 5_000)).toBe(WEBHOOK_RETRY_MAX_DELAY_MS);
  });

  it('draws the delay from the base carried on the job, with jitter below the nominal value', () => {
    const opts = applyEventJobOptions('evt-1', 100);
    const job = { opts } as unknown as Job;
    for (let i = 0; i < 50; i += 1) {
      const delay = webhookBackoffStrategy(3, 'x', undefined, job) as number;
      expect(delay).toBeLessThanOrEqual(400);
      expect(delay).toBeGreaterThanOrEqual(400 * (1 - WEBHOOK_RETRY_JITTER) - 1);
    }
  });

  it('keeps failed jobs as dead letters, bounded by age and count', () => {
    const opts = applyEventJobOptions('evt-1');
    expect(opts.removeOnFail).toEqual({ age: 14 * 24 * 3600, count: expect.any(Number) });
    expect(opts.removeOnComplete).toEqual({ age: expect.any(Number), count: expect.any(Number) });
    expect(opts.jobId).toBe('evt-1');
  });
});
