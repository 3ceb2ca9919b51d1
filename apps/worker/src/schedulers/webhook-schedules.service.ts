import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { TERRA_WEBHOOK_QUEUE, WebhookJobName } from '@terra-connections/terra';
import { MAINTENANCE_JOB_OPTIONS } from '@terra-connections/webhooks';

/** PERSISTED: scheduler ids live in Redis; renaming one leaves the old schedule running beside the new. */
export const SWEEP_SCHEDULER_ID = 'sweep-inbox';
export const RECONCILE_SCHEDULER_ID = 'reconcile-connections';
export const PRUNE_SCHEDULER_ID = 'prune-inbox';

/**
 * Registers the repeatable jobs. Every worker upserts the same scheduler ids, so N workers still give one
 * sweep per interval, and a changed interval takes effect on the next deploy.
 */
@Injectable()
export class WebhookSchedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(TERRA_WEBHOOK_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      AppConfig,
      'INBOX_SWEEP_INTERVAL_MS' | 'RECONCILE_INTERVAL_MS' | 'INBOX_PRUNE_INTERVAL_MS' | 'WEBHOOK_EVENTS_RETENTION_DAYS'
    >,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: this.config.INBOX_SWEEP_INTERVAL_MS },
      { name: WebhookJobName.SweepInbox, data: {}, opts: MAINTENANCE_JOB_OPTIONS },
    );
    if (this.config.RECONCILE_INTERVAL_MS > 0) {
      await this.queue.upsertJobScheduler(
        RECONCILE_SCHEDULER_ID,
        { every: this.config.RECONCILE_INTERVAL_MS },
        { name: WebhookJobName.Reconcile, data: {}, opts: MAINTENANCE_JOB_OPTIONS },
      );
    } else {
      await this.queue.removeJobScheduler(RECONCILE_SCHEDULER_ID);
    }
    // Either at 0 turns pruning off; removing the scheduler stops the runs the previous deploy registered.
    if (this.config.INBOX_PRUNE_INTERVAL_MS > 0 && this.config.WEBHOOK_EVENTS_RETENTION_DAYS > 0) {
      await this.queue.upsertJobScheduler(
        PRUNE_SCHEDULER_ID,
        { every: this.config.INBOX_PRUNE_INTERVAL_MS },
        { name: WebhookJobName.PruneInbox, data: {}, opts: MAINTENANCE_JOB_OPTIONS },
      );
    } else {
      await this.queue.removeJobScheduler(PRUNE_SCHEDULER_ID);
    }
  }
}
