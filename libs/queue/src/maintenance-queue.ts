import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { withDeadline } from '@terra-connections/observability';
import { WebhookJobName } from './webhook-queue.contract';
import { MAINTENANCE_JOB_OPTIONS } from './webhook-job-options';
import { ENQUEUE_TIMEOUT_MS } from './webhook-enqueuer';
import { addWebhookJob } from './webhook-jobs';

/** Injection token of the API's producer-side maintenance Queue (reconcile on demand). */
export const MAINTENANCE_PRODUCER_QUEUE = Symbol('MAINTENANCE_PRODUCER_QUEUE');

/** Producer side of the maintenance queue in the API: reconciliation on demand. */
@Injectable()
export class MaintenanceEnqueuer implements OnApplicationShutdown {
  constructor(@Inject(MAINTENANCE_PRODUCER_QUEUE) private readonly queue: Queue) {}

  /** Asks a worker to reconcile now; returns the job id. */
  async enqueueReconcile(): Promise<string> {
    const job = await withDeadline(
      addWebhookJob(this.queue, WebhookJobName.Reconcile, {}, { ...MAINTENANCE_JOB_OPTIONS, jobId: `reconcile-manual-${Date.now()}` }),
      ENQUEUE_TIMEOUT_MS,
      'enqueue',
    );
    return job.id ?? '';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
