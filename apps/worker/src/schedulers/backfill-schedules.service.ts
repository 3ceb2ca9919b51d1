import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MAINTENANCE_JOB_OPTIONS, TERRA_BACKFILL_QUEUE, upsertWebhookJobScheduler, WebhookJobName } from '@terra-connections/queue';

/** PERSISTED: the scheduler id lives in Redis. */
export const BACKFILL_TICK_SCHEDULER_ID = 'backfill-tick';

/** The backfill scheduler's tick, every BACKFILL_TICK_MS (one per interval however many workers upsert it). */
@Injectable()
export class BackfillSchedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(TERRA_BACKFILL_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'BACKFILL_TICK_MS'>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.BACKFILL_TICK_MS > 0) {
      await upsertWebhookJobScheduler(this.queue, BACKFILL_TICK_SCHEDULER_ID, { every: this.config.BACKFILL_TICK_MS }, WebhookJobName.BackfillTick, {}, MAINTENANCE_JOB_OPTIONS);
    } else {
      await this.queue.removeJobScheduler(BACKFILL_TICK_SCHEDULER_ID);
    }
  }
}
