import { WebhookEventStatus } from '@terra-connections/persistence';
import type { DataSource } from 'typeorm';

/**
 * The reason BullMQ fails a job that stalled more than maxStalledCount times (the worker running it died or
 * stopped renewing its lock: killed by the payload, by the OOM killer, a hang): the next worker to pick it up
 * fails it with this message, without running it. Matched by text, BullMQ exports no constant for it.
 */
export const STALLED_JOB_REASON = 'job stalled more than allowable limit';

export const ABANDONED_EVENT_ERROR =
  'Its job stalled repeatedly: the worker applying it died or hung each time (the payload may kill the worker); not retried, replay it once the cause is known';

/**
 * Ends a pending inbox row whose job BullMQ gave up on after stalls: the worker never recorded an outcome, so
 * the row would stay pending and the sweeper would enqueue it again, and a payload that kills its worker
 * would kill every worker, forever. Failed instead, it is a dead letter like any permanent failure. Only
 * this failure path pays for it. True when this call ended the row.
 */
export async function recordAbandonedEvent(dataSource: DataSource, eventId: string): Promise<boolean> {
  const rows: unknown[] = await dataSource.query(
    `UPDATE webhook_events SET status = $2, attempts = attempts + 1, last_error = $3
     WHERE id = $1 AND status = $4 RETURNING id`,
    [eventId, WebhookEventStatus.Failed, ABANDONED_EVENT_ERROR, WebhookEventStatus.Pending],
  );
  return rows.length > 0;
}
