import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { withDeadline } from '@terra-connections/observability';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { applyEventJobId, legacyApplyEventJobId, WebhookJobName } from './webhook-queue.contract';
import { WEBHOOK_PRODUCER_QUEUE } from './producer-queue';
import { applyEventJobOptions } from './webhook-job-options';
import { addWebhookJob } from './webhook-jobs';

/**
 * Terra gives us ~8 s per delivery; an add on a healthy Redis takes about a millisecond. Past this we answer
 * anyway and leave the row to the sweeper.
 */
export const ENQUEUE_TIMEOUT_MS = 1_500;

/** An inbox row as its job is named: see applyEventJobId. */
export interface InboxJobRef {
  /** webhook_events.id */
  id: string;
  /** received_at in microseconds since the epoch, as INBOX_RECEIVED_US_SQL selects it. */
  receivedAtUs: string;
}

/** Producer side of the webhook queue, used on the request path (receiver, replay). */
@Injectable()
export class WebhookEnqueuer implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEnqueuer.name);

  constructor(
    @Inject(WEBHOOK_PRODUCER_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'WEBHOOK_RETRY_BASE_DELAY_MS'>,
  ) {}

  /**
   * Enqueues one inbox row; false (never a throw) when Redis is slow or down: the sweeper takes over.
   * `requestId` and `type` ride along for the worker's log lines and metrics only.
   */
  async enqueueApply({ id: eventId, receivedAtUs }: InboxJobRef, requestId?: string, type?: string): Promise<boolean> {
    const jobId = applyEventJobId(eventId, receivedAtUs);
    try {
      await withDeadline(
        addWebhookJob(
          this.queue,
          WebhookJobName.ApplyEvent,
          { eventId, ...(requestId ? { requestId } : {}), ...(type ? { type } : {}) },
          applyEventJobOptions(jobId, this.config.WEBHOOK_RETRY_BASE_DELAY_MS),
        ),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
      return true;
    } catch (error) {
      this.logger.warn(`Inbox row ${eventId} stored but not enqueued (the sweeper will): ${(error as Error).message}`);
      return false;
    }
  }

  /**
   * Frees the jobId of a finished (failed or completed) job so the row can be enqueued again. A job that
   * is waiting, delayed or running is left alone: it will apply the row anyway. A finished job under the
   * legacy id goes too, so a replayed dead letter from before the upgrade no longer shows as failed.
   */
  async releaseFinishedJob(row: InboxJobRef): Promise<void> {
    for (const jobId of [applyEventJobId(row.id, row.receivedAtUs), legacyApplyEventJobId(row.id)]) {
      const job = await withDeadline(this.queue.getJob(jobId), ENQUEUE_TIMEOUT_MS, 'job lookup');
      if (!job) continue;
      const state = await job.getState();
      if (state === 'failed' || state === 'completed') await job.remove();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
