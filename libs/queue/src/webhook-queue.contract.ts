/**
 * The queue contract between the API (producer) and the worker (consumer).
 *
 * PERSISTED IDENTIFIERS: queue and job names live in Redis keys and in jobs already enqueued. Changing one
 * strands every job under the old name: add a new name and drain the old one instead.
 */
export const TERRA_WEBHOOK_QUEUE = 'terra-webhooks';

/**
 * The queue of the sweep, reconcile and prune jobs, apart from the webhook queue. BullMQ's keep-counts
 * (removeOnComplete / removeOnFail `count`) trim a whole queue's finished lists, whatever the job name, so on a
 * shared queue every maintenance run trimmed the webhook jobs' history to the maintenance options' count, and
 * failed maintenance runs pushed dead letters out. On their own queue the webhook queue keeps exactly what its
 * options say (a day / 10,000 completed, 14 days / 100,000 failed).
 *
 * PERSISTED IDENTIFIER: the name lives in Redis keys.
 */
export const TERRA_MAINTENANCE_QUEUE = 'terra-maintenance';

export enum WebhookJobName {
  /** Apply one inbox row (webhook_events.id) to Postgres. */
  ApplyEvent = 'apply-webhook-event',
  /** Repeatable: re-enqueue inbox rows still pending after the grace period (an enqueue lost to Redis). */
  SweepInbox = 'sweep-inbox',
  /** Repeatable and on demand: compare Terra's /subscriptions with our connections and repair drift. */
  Reconcile = 'reconcile-connections',
  /** Repeatable: delete processed inbox rows older than WEBHOOK_EVENTS_RETENTION_DAYS. */
  PruneInbox = 'prune-inbox',
}

/** Job name -> payload. Payloads are plain JSON with ids only: health data never sits in Redis. */
export interface WebhookJobPayloads {
  /** requestId (the API request that stored the row) and type (the event type) label logs and metrics only. */
  [WebhookJobName.ApplyEvent]: { eventId: string; requestId?: string; type?: string };
  [WebhookJobName.SweepInbox]: Record<string, never>;
  [WebhookJobName.Reconcile]: Record<string, never>;
  [WebhookJobName.PruneInbox]: Record<string, never>;
}

export type WebhookJobOf<N extends WebhookJobName> = WebhookJobPayloads[N];

/** One job per inbox row: the API and the sweeper enqueueing the same row collapse into one job. */
export function applyEventJobId(eventId: string): string {
  return `evt-${eventId}`;
}
