import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { assertSchemaCurrent } from '@terra-connections/persistence';
import { TERRA_WEBHOOK_QUEUE, WebhookJobName, type WebhookJobOf } from '@terra-connections/terra';
import {
  ConnectionReconciler,
  InboxSweeper,
  WebhookEventApplier,
  webhookBackoffStrategy,
} from '@terra-connections/webhooks';

/** Redis errors repeat on every reconnect attempt during an outage: one log line per window. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * The one consumer of the webhook queue; dispatches by job name. Created with autorun off and started once
 * the app has booted (schema checked, concurrency set from WORKER_CONCURRENCY): it never takes a job before
 * it can run it. On SIGTERM it closes first, before any other shutdown hook: BullMQ stops fetching and waits
 * for the jobs in flight, and only then do the database pool and Redis connections close.
 */
@Processor(TERRA_WEBHOOK_QUEUE, { autorun: false, settings: { backoffStrategy: webhookBackoffStrategy } })
export class TerraWebhookProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TerraWebhookProcessor.name);
  private lastErrorLogged = 0;

  constructor(
    private readonly applier: WebhookEventApplier,
    private readonly sweeper: InboxSweeper,
    private readonly reconciler: ConnectionReconciler,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'WORKER_CONCURRENCY'>,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case WebhookJobName.ApplyEvent: {
        const { eventId } = job.data as WebhookJobOf<WebhookJobName.ApplyEvent>;
        return this.applier.apply(eventId, { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
      }
      case WebhookJobName.SweepInbox:
        return this.sweeper.sweep();
      case WebhookJobName.Reconcile: {
        const result = await this.reconciler.reconcile();
        return { ...result, disconnected: result.disconnected.length, created: result.created.length };
      }
      default:
        throw new UnrecoverableError(`No processor for job name ${job.name}`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await assertSchemaCurrent(this.dataSource);
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    this.worker.run().catch((error: unknown) => this.logger.error(`Webhook worker stopped: ${(error as Error).message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.logger.log('Shutting down: taking no new jobs, waiting for the jobs in flight');
    await this.worker.close();
    this.logger.log('Webhook worker drained');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= attempts;
    const message = `Job ${job.id} (${job.name}) failed, attempt ${job.attemptsMade} of ${attempts}${final ? ', giving up' : ''}: ${error.message}`;
    if (final) this.logger.error(message);
    else this.logger.warn(message);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    if (Date.now() - this.lastErrorLogged < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLogged = Date.now();
    this.logger.warn(`Webhook worker error: ${error.message}`);
  }
}
