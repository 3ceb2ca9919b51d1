import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@terra-connections/config';
import { platformModules } from '@terra-connections/platform';
import { QueueDashboardModule } from './admin/queue-dashboard.module';
import { BackfillsHttpModule } from './backfills/backfills-http.module';
import { ConnectionsHttpModule } from './connections/connections-http.module';
import { DriftHttpModule } from './drift/drift-http.module';
import { EventsHttpModule } from './events/events-http.module';
import { OpsHttpModule } from './ops/ops-http.module';
import { WebhooksHttpModule } from './webhooks/webhooks-http.module';

/** The HTTP deployable: wiring only; the logic lives in libs. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ...platformModules(config, 'api'),
        ConnectionsHttpModule,
        BackfillsHttpModule,
        WebhooksHttpModule,
        EventsHttpModule,
        DriftHttpModule,
        OpsHttpModule,
        ...(config.BULL_BOARD_ENABLED ? [QueueDashboardModule.forRoot(config)] : []),
      ],
    };
  }
}
