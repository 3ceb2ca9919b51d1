import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@terra-connections/config';
import { ObservabilityHealthModule } from '@terra-connections/observability';
import { platformModules } from '@terra-connections/platform';
import { TerraClientModule, TerraGateway } from '@terra-connections/terra';
import { BackfillMetrics, BackfillRequester, BackfillScheduler, ProvidersService, TERRA_USER_DIRECTORY } from '@terra-connections/connections';
import { WEBHOOK_APPLY_PROVIDERS } from '@terra-connections/webhook-apply';
import { BackfillProcessor } from './processors/backfill.processor';
import { EventDeliveryRunner } from './processors/event-delivery.runner';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { TerraWebhookProcessor } from './processors/terra-webhook.processor';
import { BackfillSchedules } from './schedulers/backfill-schedules.service';
import { WebhookSchedules } from './schedulers/webhook-schedules.service';
import { WorkerHealthServer } from './worker-health.server';

/** The queue deployable: an application context with processors and no public HTTP port. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        // One connection per concurrent job, plus one for the sweeper and health checks.
        ...platformModules(config, 'worker', { poolSize: config.WORKER_CONCURRENCY + 2 }),
        ObservabilityHealthModule,
        TerraClientModule,
      ],
      providers: [
        ...WEBHOOK_APPLY_PROVIDERS,
        { provide: TERRA_USER_DIRECTORY, useExisting: TerraGateway },
        TerraWebhookProcessor,
        MaintenanceProcessor,
        EventDeliveryRunner,
        WebhookSchedules,
        ProvidersService,
        BackfillMetrics,
        BackfillScheduler,
        BackfillRequester,
        BackfillProcessor,
        BackfillSchedules,
        WorkerHealthServer,
      ],
    };
  }
}
