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

/**
 * The backfill queue: the scheduler's tick and one job per backfill data request (ids only). Apart from the
 * webhook queue so a wave of backfill calls never queues ahead of webhook applies.
 *
 * PERSISTED IDENTIFIER: the name lives in Redis keys.
 */
export const TERRA_BACKFILL_QUEUE = 'terra-backfills';

export enum WebhookJobName {
  /** Apply one inbox row (webhook_events.id) to Postgres. */
  ApplyEvent = 'apply-webhook-event',
  /** Repeatable: re-enqueue inbox rows still pending after the grace period (an enqueue lost to Redis). */
  SweepInbox = 'sweep-inbox',
  /** Repeatable and on demand: compare Terra's /subscriptions with our connections and repair drift. */
  Reconcile = 'reconcile-connections',
  /** Repeatable: delete processed inbox rows older than WEBHOOK_EVENTS_RETENTION_DAYS. */
  PruneInbox = 'prune-inbox',
  /** Repeatable: re-judge every connection's freshness (connection.stale / connection.fresh). */
  EvaluateFreshness = 'evaluate-freshness',
  /** Repeatable: plan on-connect backfills, detect stalled requests, enqueue the due ones (backfill queue). */
  BackfillTick = 'backfill-tick',
  /** Send one backfill request (backfill_requests.id) to Terra (backfill queue). */
  BackfillRequest = 'backfill-request',
}

/** Job name -> payload. Payloads are plain JSON with ids only: health data never sits in Redis. */
export interface WebhookJobPayloads {
  /** requestId (the API request that stored the row) and type (the event type) label logs and metrics only. */
  [WebhookJobName.ApplyEvent]: { eventId: string; requestId?: string; type?: string };
  [WebhookJobName.SweepInbox]: Record<string, never>;
  [WebhookJobName.Reconcile]: Record<string, never>;
  [WebhookJobName.PruneInbox]: Record<string, never>;
  [WebhookJobName.EvaluateFreshness]: Record<string, never>;
  [WebhookJobName.BackfillTick]: Record<string, never>;
  /** sends: the request's calls made when the tick claimed it, so a duplicate job of one claim sends nothing. */
  [WebhookJobName.BackfillRequest]: { requestId: string; sends: number };
}

export type WebhookJobOf<N extends WebhookJobName> = WebhookJobPayloads[N];

/**
 * The row's received_at in microseconds since the epoch, as every producer of apply jobs selects it (the inbox
 * INSERT returns it, the sweeper and the replay read it with the row): the second half of the job id.
 */
export const INBOX_RECEIVED_US_SQL = '(extract(epoch FROM received_at) * 1000000)::bigint';

/**
 * One job per inbox row: the API and the sweeper enqueueing the same row collapse into one job.
 *
 * PERSISTED IDENTIFIER. The id alone (`evt-<id>`, the format before issue 12) is not unique once Redis outlives
 * a database: a database restored from a dump continues its id sequence from the dump, so rows stored after the
 * dump was taken have their ids handed out again while Redis still holds their finished jobs, and BullMQ's add
 * of a held id is a silent no-op (the event then waits for the sweeper). The row's received_at tells those two
 * rows apart: the new row is received after the restore, the old one before it. A per-database installation id
 * would not: a dump carries it back too. Every producer has received_at with the row it already holds (INSERT
 * ... RETURNING, the sweeper's and the replay's SELECT), so it costs no round trip. Microseconds (Postgres'
 * precision, exact as a bigint) in base 36 keep the id short: 10 characters more per job in Redis.
 */
export function applyEventJobId(eventId: string, receivedAtUs: string | bigint): string {
  return `evt-${eventId}-${BigInt(receivedAtUs).toString(36)}`;
}

/**
 * The job id before issue 12. Jobs enqueued under it by an older API may still wait in Redis after an upgrade;
 * the worker still runs them (the row id is in the payload) and the sweeper does not enqueue a second job for a
 * row whose legacy job is still live. Nothing enqueues under it any more.
 */
export function legacyApplyEventJobId(eventId: string): string {
  return `evt-${eventId}`;
}

/** Whether `jobId` is row `eventId`'s own job, in either format (for a Bull Board retry of a dead letter). */
export function isApplyEventJobOf(jobId: string | undefined, eventId: string): boolean {
  const legacy = legacyApplyEventJobId(eventId);
  return jobId === legacy || (jobId?.startsWith(`${legacy}-`) ?? false);
}
