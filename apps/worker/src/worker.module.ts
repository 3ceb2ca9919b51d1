import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, type AppConfig } from '@terra-connections/config';
import { LoggingModule, MetricsModule, ObservabilityHealthModule } from '@terra-connections/observability';
import { PersistenceModule } from '@terra-connections/persistence';
import { TerraClientModule, TerraGateway } from '@terra-connections/terra';
import { WebhookQueueModule } from '@terra-connections/queue';
import { TERRA_USER_DIRECTORY } from '@terra-connections/connections';
import { WEBHOOK_APPLY_PROVIDERS } from '@terra-connections/webhook-apply';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { TerraWebhookProcessor } from './processors/terra-webhook.processor';
import { WebhookSchedules } from './schedulers/webhook-schedules.service';
import { WorkerHealthServer } from './worker-health.server';

/** The queue deployable: an application context with processors and no public HTTP port. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'worker'),
        MetricsModule,
        ObservabilityHealthModule,
        // One connection per concurrent job, plus one for the sweeper and health checks.
        PersistenceModule.forRoot({ applicationName: 'terra-connections-worker', poolSize: config.WORKER_CONCURRENCY + 2 }),
        WebhookQueueModule.forRoot(),
        TerraClientModule,
      ],
      providers: [
        ...WEBHOOK_APPLY_PROVIDERS,
        { provide: TERRA_USER_DIRECTORY, useExisting: TerraGateway },
        TerraWebhookProcessor,
        MaintenanceProcessor,
        WebhookSchedules,
        WorkerHealthServer,
      ],
    };
  }
}
