import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { eventTypeLabel, LogContext, MetricsService, REQUEST_ID_LOG_KEY } from '@terra-connections/observability';
import { assertSchemaCurrent } from '@terra-connections/persistence';
import { isApplyEventJobOf, TERRA_WEBHOOK_QUEUE, WebhookJobName, type WebhookJobOf } from '@terra-connections/queue';
import { ConnectionReconciler, FreshnessEvaluator } from '@terra-connections/connections';
import { EventsPruner, InboxPruner, InboxSweeper, recordAbandonedEvent, STALLED_JOB_REASON, WebhookEventApplier } from '@terra-connections/webhook-apply';
import { throttledWarning, webhookBackoffStrategy, withoutStackFrames } from '@terra-connections/queue';

type ApplyJobData = Partial<WebhookJobOf<WebhookJobName.ApplyEvent>>;

/** Log fields of a job: its ids, and the request id of the API request that stored the event. */
function jobBindings(job: Job): Record<string, unknown> {
  const data = (job.data ?? {}) as ApplyJobData;
  return {
    job_id: job.id,
    job: job.name,
    ...(data.eventId ? { event_id: data.eventId } : {}),
    ...(data.requestId ? { [REQUEST_ID_LOG_KEY]: data.requestId } : {}),
  };
}

/** Metrics label: the event type of an apply job, the job name of a maintenance job. */
function jobTypeLabel(job: Job): string {
  return job.name === WebhookJobName.ApplyEvent ? eventTypeLabel((job.data as ApplyJobData | undefined)?.type) : job.name;
}

const isFinalFailure = (job: Job, error: unknown, attempt: number) =>
  error instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);

/**
 * The one consumer of the webhook queue; dispatches by job name. Created with autorun off and started once
 * the app has booted (schema checked, concurrency set from WORKER_CONCURRENCY): it never takes a job before
 * it can run it. On SIGTERM it closes first, before any other shutdown hook: BullMQ stops fetching and waits
 * for the jobs in flight, and only then do the database pool and Redis connections close.
 *
 * Every job runs in a log context carrying its ids and the request id of the webhook delivery, and ends
 * with one log line and a duration/attempts observation.
 */
@Processor(TERRA_WEBHOOK_QUEUE, { autorun: false, settings: { backoffStrategy: webhookBackoffStrategy } })
export class TerraWebhookProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TerraWebhookProcessor.name);
  private readonly warnOfWorkerError = throttledWarning(this.logger);

  constructor(
    private readonly applier: WebhookEventApplier,
    private readonly sweeper: InboxSweeper,
    private readonly pruner: InboxPruner,
    private readonly eventsPruner: EventsPruner,
    private readonly reconciler: ConnectionReconciler,
    private readonly freshness: FreshnessEvaluator,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    private readonly logContext: LogContext,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'WORKER_CONCURRENCY'>,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.logContext.run(jobBindings(job), () => this.measured(job));
  }

  private async measured(job: Job): Promise<unknown> {
    const type = jobTypeLabel(job);
    const attempt = job.attemptsMade + 1;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await this.dispatch(job, attempt);
      const outcome = typeof result === 'string' ? result : 'completed';
      const elapsed = seconds();
      this.metrics.observeJob(type, outcome, elapsed, { attempts: attempt, result: 'completed' });
      const line = `Job ${job.id} (${job.name}${type === job.name ? '' : `, ${type}`}) ${outcome} in ${Math.round(elapsed * 1000)} ms`;
      // One info line per webhook job, like the API's line per request; the every-30-s sweep only at debug.
      if (job.name === WebhookJobName.ApplyEvent) this.logger.log(line);
      else this.logger.debug(line);
      return result;
    } catch (error) {
      const final = isFinalFailure(job, error, attempt);
      this.metrics.observeJob(type, final ? 'failed' : 'retry', seconds(), final ? { attempts: attempt, result: 'failed' } : undefined);
      throw withoutStackFrames(error);
    }
  }

  private async dispatch(job: Job, attempt: number): Promise<unknown> {
    switch (job.name) {
      case WebhookJobName.ApplyEvent: {
        const { eventId } = job.data as WebhookJobOf<WebhookJobName.ApplyEvent>;
        const ownJob = isApplyEventJobOf(job.id, eventId);
        return this.applier.apply(eventId, { attempt, maxAttempts: job.opts.attempts ?? 1, ownJob });
      }
      case WebhookJobName.SweepInbox:
        return this.sweeper.sweep();
      case WebhookJobName.PruneInbox: {
        // One retention job: the inbox by WEBHOOK_EVENTS_RETENTION_DAYS, then the outbound events by EVENTS_RETENTION_DAYS.
        const inbox = await this.pruner.prune();
        return { ...inbox, events: await this.eventsPruner.prune() };
      }
      case WebhookJobName.Reconcile: {
        const result = await this.reconciler.reconcile();
        return { ...result, disconnected: result.disconnected.length, created: result.created.length };
      }
      case WebhookJobName.EvaluateFreshness:
        return this.freshness.evaluate();
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
    this.logContext.run(jobBindings(job), () => (final ? this.logger.error(message) : this.logger.warn(message)));
    if (job.name === WebhookJobName.ApplyEvent && error.message === STALLED_JOB_REASON) this.endAbandoned(job);
  }

  /**
   * BullMQ failed the job without running it, after it stalled past maxStalledCount: no attempt recorded an
   * outcome on the row. Ended here so the sweeper does not enqueue it again (it ends it too, if this fails).
   */
  private endAbandoned(job: Job): void {
    const { eventId } = (job.data ?? {}) as ApplyJobData;
    if (!eventId) return;
    recordAbandonedEvent(this.dataSource, eventId).then(
      (ended) => ended && this.logContext.run(jobBindings(job), () => this.logger.error(`Inbox row ${eventId} failed: its job stalled repeatedly`)),
      (failure: unknown) => this.logger.warn(`Could not end abandoned inbox row ${eventId}: ${(failure as Error).message}`),
    );
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnOfWorkerError(`Webhook worker error: ${error.message}`);
  }
}
