import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { BackfillRequester, BackfillScheduler } from '@terra-connections/connections';
import { MetricsService } from '@terra-connections/observability';
import { addWebhookJob, MAINTENANCE_JOB_OPTIONS, TERRA_BACKFILL_QUEUE, throttledWarning, WebhookJobName, type WebhookJobOf } from '@terra-connections/queue';

/**
 * A request job's id, new for every claim: a finished job kept in Redis under a reused id would swallow the add
 * (BullMQ ignores a known id). Duplicates are harmless: a job whose claim (`sends`) was used already does nothing.
 */
export function backfillRequestJobId(requestId: string, sends: number): string {
  return `bfr-${requestId}-${sends}-${Date.now().toString(36)}`;
}

/**
 * The consumer of the backfill queue: the scheduler's tick (which enqueues the due requests) and the request
 * jobs (one Terra data call each). A request job never retries on its own: the requester records Terra's
 * answer or error on the row, and the scheduler decides when to ask again.
 */
@Processor(TERRA_BACKFILL_QUEUE, { autorun: false })
export class BackfillProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BackfillProcessor.name);
  private readonly warnOfWorkerError = throttledWarning(this.logger);

  constructor(
    private readonly scheduler: BackfillScheduler,
    private readonly requester: BackfillRequester,
    private readonly metrics: MetricsService,
    @InjectQueue(TERRA_BACKFILL_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'WORKER_CONCURRENCY'>,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const started = performance.now();
    const result = await this.dispatch(job);
    this.logger.debug(`Job ${job.id} (${job.name}): ${JSON.stringify(result)}`);
    this.metrics.observeJob(job.name, typeof result === 'string' ? result : 'completed', (performance.now() - started) / 1000);
    return result;
  }

  private async dispatch(job: Job): Promise<unknown> {
    switch (job.name) {
      case WebhookJobName.BackfillTick: {
        const result = await this.scheduler.tick();
        for (const { requestId, sends } of result.due) {
          await addWebhookJob(this.queue, WebhookJobName.BackfillRequest, { requestId, sends }, {
            ...MAINTENANCE_JOB_OPTIONS,
            jobId: backfillRequestJobId(requestId, sends),
          });
        }
        return { planned: result.planned, stalled: result.stalled, due: result.due.length };
      }
      case WebhookJobName.BackfillRequest: {
        const { requestId, sends } = job.data as WebhookJobOf<WebhookJobName.BackfillRequest>;
        return this.requester.send(requestId, sends);
      }
      default:
        throw new UnrecoverableError(`No processor for job name ${job.name}`);
    }
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    this.worker.run().catch((error: unknown) => this.logger.error(`Backfill worker stopped: ${(error as Error).message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (job) this.logger.warn(`Backfill job ${job.id} (${job.name}) failed: ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnOfWorkerError(`Backfill worker error: ${error.message}`);
  }
}
