import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { WebhookEventStatus } from '@terra-connections/persistence';
import {
  addWebhookJob,
  applyEventJobId,
  applyEventJobOptions,
  INBOX_RECEIVED_US_SQL,
  legacyApplyEventJobId,
  TERRA_WEBHOOK_QUEUE,
  WebhookJobName,
} from '@terra-connections/queue';
import { DataSource } from 'typeorm';
import { ABANDONED_EVENT_ERROR, recordAbandonedEvent, STALLED_JOB_REASON } from '../apply/abandoned-event';

/** Rows looked at per sweep: a large backlog is walked over several sweeps instead of in one long job. */
export const SWEEP_MAX_ROWS = 5_000;
const SWEEP_PAGE = 500;
/** A job in one of these will still run: the sweeper leaves it alone. */
const LIVE_JOB_STATES = new Set<string>(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

export interface SweepResult {
  scanned: number;
  enqueued: number;
}

/**
 * Re-enqueues inbox rows still pending after the grace period: an enqueue lost to a Redis outage (the API
 * answered 200 with the row committed) delays the event, never drops it. It adds with the row's own jobId,
 * so a job that is waiting, delayed or running is not duplicated. A pending row whose job already finished
 * (a replay whose re-enqueue failed) or whose job hash is in no state at all gets its old job removed and a
 * new one; one whose job BullMQ failed for stalling too often is ended as failed instead (abandoned-event.ts).
 */
@Injectable()
export class InboxSweeper {
  private readonly logger = new Logger(InboxSweeper.name);
  /** Keyset position across sweeps, so the rows past SWEEP_MAX_ROWS are reached on the next ticks. */
  private afterId = '0';

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(TERRA_WEBHOOK_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AppConfig, 'INBOX_SWEEP_GRACE_MS' | 'WEBHOOK_RETRY_BASE_DELAY_MS'>,
  ) {}

  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { scanned: 0, enqueued: 0 };
    while (result.scanned < SWEEP_MAX_ROWS) {
      const rows: { id: string; type: string; request_id: string | null; received_us: string }[] = await this.dataSource.query(
        `SELECT id, type, request_id, ${INBOX_RECEIVED_US_SQL}::text AS received_us FROM webhook_events
         WHERE status = $1 AND received_at < now() - make_interval(secs => $2::double precision / 1000) AND id > $3
         ORDER BY id LIMIT $4`,
        [WebhookEventStatus.Pending, this.config.INBOX_SWEEP_GRACE_MS, this.afterId, SWEEP_PAGE],
      );
      if (rows.length === 0) {
        this.afterId = '0';
        break;
      }
      result.scanned += rows.length;
      this.afterId = String(rows[rows.length - 1].id);
      const added = await Promise.all(rows.map((row) => this.ensureQueued(String(row.id), row.received_us, row.type, row.request_id)));
      result.enqueued += added.filter(Boolean).length;
    }
    if (result.enqueued > 0) this.logger.warn(`Sweeper re-enqueued ${result.enqueued} pending inbox row(s)`);
    return result;
  }

  private async ensureQueued(eventId: string, receivedAtUs: string, type: string, requestId: string | null): Promise<boolean> {
    const jobId = applyEventJobId(eventId, receivedAtUs);
    // A job an API older than issue 12 enqueued under the row id alone still applies the row: one job is enough.
    // Only a live one counts: a finished legacy job may be another database's row (before a restore).
    const legacy = await this.queue.getJob(legacyApplyEventJobId(eventId));
    if (legacy && LIVE_JOB_STATES.has(await legacy.getState())) return false;
    const existing = await this.queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (LIVE_JOB_STATES.has(state)) return false;
      // BullMQ gave up on it after it stalled again and again (a payload that kills its worker, say) and the
      // worker that failed it could not end the row: end it here rather than run it again, forever. The job
      // stays as the dead letter.
      if (state === 'failed' && existing.failedReason === STALLED_JOB_REASON) {
        if (await recordAbandonedEvent(this.dataSource, eventId)) this.logger.error(`Inbox row ${eventId} failed: ${ABANDONED_EVENT_ERROR}`);
        return false;
      }
      // Finished, or a hash left in no list at all ('unknown': e.g. a Redis failover mid-move). While the
      // hash exists, add() with the same jobId is a silent no-op and the row would stay pending forever.
      try {
        await existing.remove();
      } catch (error) {
        // It moved (picked up, retried) between getState and remove: it is alive, leave it.
        this.logger.debug(`Left job ${jobId} (${state}) in place: ${(error as Error).message}`);
        return false;
      }
    }
    await addWebhookJob(
      this.queue,
      WebhookJobName.ApplyEvent,
      // The original request id, so the job's log lines still lead back to the delivery.
      { eventId, type, ...(requestId ? { requestId } : {}) },
      applyEventJobOptions(jobId, this.config.WEBHOOK_RETRY_BASE_DELAY_MS),
    );
    return true;
  }
}
