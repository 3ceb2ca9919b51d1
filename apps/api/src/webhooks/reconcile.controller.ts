import { Controller, HttpCode, Logger, Post, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { WebhookEnqueuer } from '@terra-connections/webhooks';
import { AdminOnly, ApiKeyGuard } from '../common/api-key.guard';

/** Reconciliation on demand: a worker compares Terra's /subscriptions with our connections now. */
@Controller('v1/admin')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class ReconcileController {
  private readonly logger = new Logger(ReconcileController.name);

  constructor(private readonly enqueuer: WebhookEnqueuer) {}

  @Post('reconcile')
  @HttpCode(202)
  async reconcile(): Promise<{ status: 'queued'; job_id: string }> {
    try {
      return { status: 'queued', job_id: await this.enqueuer.enqueueReconcile() };
    } catch (error) {
      this.logger.warn(`Could not queue a reconciliation: ${(error as Error).message}`);
      throw new ServiceUnavailableException('The job queue is unavailable; retry later');
    }
  }
}
