import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, type AppConfig } from '@terra-connections/config';
import { LoggingModule, MetricsModule } from '@terra-connections/observability';
import { PersistenceModule } from '@terra-connections/persistence';
import { WebhookQueueModule } from '@terra-connections/queue';
import { QueueDashboardModule } from './admin/queue-dashboard.module';
import { ConnectionsHttpModule } from './connections/connections-http.module';
import { OpsHttpModule } from './ops/ops-http.module';
import { WebhooksHttpModule } from './webhooks/webhooks-http.module';

/** The HTTP deployable: wiring only; the logic lives in libs. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'api'),
        MetricsModule,
        PersistenceModule.forRoot({ applicationName: 'terra-connections-api' }),
        WebhookQueueModule.forRoot(),
        ConnectionsHttpModule,
        WebhooksHttpModule,
        OpsHttpModule,
        ...(config.BULL_BOARD_ENABLED ? [QueueDashboardModule.forRoot(config)] : []),
      ],
    };
  }
}
