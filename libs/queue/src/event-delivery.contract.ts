import type { JobsOptions, Queue } from 'bullmq';

/**
 * The outbound event deliveries' queue, apart from the webhook queue: a slow endpoint's jobs never sit in
 * front of Terra's webhooks.
 *
 * PERSISTED IDENTIFIERS: the queue and job names and the job id format live in Redis.
 */
export const EVENT_DELIVERY_QUEUE = 'terra-event-deliveries';
export const DELIVER_EVENT_JOB = 'deliver-event';

/** Ids only: the body is built from Postgres when sent, so no event (and no health data) sits in Redis. */
export interface DeliverEventPayload {
  deliveryId: string;
}

/**
 * Standard Webhooks' schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts
 * over about 27.5 hours). EVENT_DELIVERY_RETRY_SCALE shrinks it for tests.
 */
export const EVENT_DELIVERY_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const EVENT_DELIVERY_ATTEMPTS = EVENT_DELIVERY_RETRY_DELAYS_MS.length + 1;
export const EVENT_DELIVERY_BACKOFF_TYPE = 'standard-webhooks-schedule';

/** The wait before retry `retry` (1-based), scaled. */
export function eventDeliveryRetryDelay(retry: number, scale: number): number {
  const index = Math.min(Math.max(retry, 1), EVENT_DELIVERY_RETRY_DELAYS_MS.length) - 1;
  return Math.max(1, Math.round(EVENT_DELIVERY_RETRY_DELAYS_MS[index] * scale));
}

/**
 * One job per delivery row and replay: a dispatcher that re-adds after a crash adds nothing (same id), and a
 * replay gets a new id (the finished job of the previous round may still be held).
 */
export function deliverEventJobId(deliveryId: string, replays = 0): string {
  return replays > 0 ? `dlv-${deliveryId}-r${replays}` : `dlv-${deliveryId}`;
}

/**
 * The replay round a job belongs to, read from its id (so jobs queued before rounds were checked know theirs
 * too). A job of an older round than its delivery's stops.
 */
export function replayRoundOf(jobId: string | undefined): number {
  const round = /^dlv-\d+-r(\d+)$/.exec(jobId ?? '');
  return round ? Number(round[1]) : 0;
}

export function deliverEventJobOptions(deliveryId: string, replays = 0): JobsOptions {
  return {
    jobId: deliverEventJobId(deliveryId, replays),
    attempts: EVENT_DELIVERY_ATTEMPTS,
    backoff: { type: EVENT_DELIVERY_BACKOFF_TYPE },
    // The delivery row and its attempts are the record; jobs are only transport.
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
  };
}

/** The one door delivery jobs enter by. */
export async function addDeliverEventJobs(queue: Queue, deliveries: readonly { id: string; replays: number }[]): Promise<void> {
  if (deliveries.length === 0) return;
  await queue.addBulk(
    deliveries.map(({ id, replays }) => ({
      name: DELIVER_EVENT_JOB,
      data: { deliveryId: id } satisfies DeliverEventPayload,
      opts: deliverEventJobOptions(id, replays),
    })),
  );
}
