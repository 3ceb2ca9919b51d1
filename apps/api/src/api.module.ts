import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, type AppConfig } from '@terra-connections/config';
import { PersistenceModule } from '@terra-connections/persistence';
import { WebhookQueueModule } from '@terra-connections/terra';
import { ConnectionsHttpModule } from './connections/connections-http.module';
import { WebhooksHttpModule } from './webhooks/webhooks-http.module';

/** The HTTP deployable: wiring only; the logic lives in libs. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        AppConfigModule.forRoot(config),
        PersistenceModule.forRoot({ applicationName: 'terra-connections-api' }),
        WebhookQueueModule.forRoot(),
        ConnectionsHttpModule,
        WebhooksHttpModule,
      ],
    };
  }
}
