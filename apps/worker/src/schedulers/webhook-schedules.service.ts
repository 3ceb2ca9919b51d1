import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MAINTENANCE_JOB_OPTIONS, TERRA_MAINTENANCE_QUEUE, TERRA_WEBHOOK_QUEUE, upsertWebhookJobScheduler, WebhookJobName } from '@terra-connections/queue';

/** PERSISTED: scheduler ids live in Redis; renaming one leaves the old schedule running beside the new. */
export const SWEEP_SCHEDULER_ID = 'sweep-inbox';
export const RECONCILE_SCHEDULER_ID = 'reconcile-connections';
export const PRUNE_SCHEDULER_ID = 'prune-inbox';
export const FRESHNESS_SCHEDULER_ID = 'evaluate-freshness';

type MaintenanceJobName = WebhookJobName.SweepInbox | WebhookJobName.Reconcile | WebhookJobName.PruneInbox | WebhookJobName.EvaluateFreshness;

/**
 * Registers the repeatable jobs on the maintenance queue. Every worker upserts the same scheduler ids, so N
 * workers still give one sweep per interval, and a changed interval takes effect on the next deploy. The
 * schedules a previous release kept on the webhook queue are removed there.
 */
@Injectable()
export class WebhookSchedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(TERRA_MAINTENANCE_QUEUE) private readonly queue: Queue,
    @InjectQueue(TERRA_WEBHOOK_QUEUE) private readonly webhookQueue: Queue,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      AppConfig,
      | 'INBOX_SWEEP_INTERVAL_MS'
      | 'RECONCILE_INTERVAL_MS'
      | 'INBOX_PRUNE_INTERVAL_MS'
      | 'WEBHOOK_EVENTS_RETENTION_DAYS'
      | 'EVENTS_RETENTION_DAYS'
      | 'FRESHNESS_CHECK_INTERVAL_MS'
    >,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const id of [SWEEP_SCHEDULER_ID, RECONCILE_SCHEDULER_ID, PRUNE_SCHEDULER_ID]) await this.webhookQueue.removeJobScheduler(id);
    await this.schedule(SWEEP_SCHEDULER_ID, WebhookJobName.SweepInbox, this.config.INBOX_SWEEP_INTERVAL_MS);
    await this.schedule(RECONCILE_SCHEDULER_ID, WebhookJobName.Reconcile, this.config.RECONCILE_INTERVAL_MS);
    // Retentions of 0 (keep forever) turn pruning off as well as an interval of 0.
    const retains = this.config.WEBHOOK_EVENTS_RETENTION_DAYS > 0 || this.config.EVENTS_RETENTION_DAYS > 0;
    const pruneEvery = retains ? this.config.INBOX_PRUNE_INTERVAL_MS : 0;
    await this.schedule(PRUNE_SCHEDULER_ID, WebhookJobName.PruneInbox, pruneEvery);
    await this.schedule(FRESHNESS_SCHEDULER_ID, WebhookJobName.EvaluateFreshness, this.config.FRESHNESS_CHECK_INTERVAL_MS);
  }

  /** `every` 0 removes the scheduler, which stops the runs a previous deploy registered. */
  private async schedule(id: string, name: MaintenanceJobName, every: number): Promise<void> {
    if (every > 0) {
      await upsertWebhookJobScheduler(this.queue, id, { every }, name, {}, MAINTENANCE_JOB_OPTIONS);
    } else {
      await this.queue.removeJobScheduler(id);
    }
  }
}
