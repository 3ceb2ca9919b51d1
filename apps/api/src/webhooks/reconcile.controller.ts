import { Controller, HttpCode, Logger, Post, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MaintenanceEnqueuer } from '@terra-connections/queue';
import { ADMIN_KEY_SCHEME, ApiErrors } from '../common/api-error.response';
import { AdminOnly, ApiKeyGuard } from '../common/api-key.guard';
import { ReconcileQueuedResponse } from './dto/webhook.responses';

/** Reconciliation on demand: a worker compares Terra's /subscriptions with our connections now. */
@ApiTags('admin')
@ApiBearerAuth(ADMIN_KEY_SCHEME)
@Controller('v1/admin')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class ReconcileController {
  private readonly logger = new Logger(ReconcileController.name);

  constructor(private readonly enqueuer: MaintenanceEnqueuer) {}

  @Post('reconcile')
  @ApiOperation({ operationId: 'reconcileConnections', summary: "Admin: compare Terra's /subscriptions with our connections now (runs on a worker)" })
  @ApiAcceptedResponse({ type: ReconcileQueuedResponse })
  @ApiErrors(401, 503)
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
