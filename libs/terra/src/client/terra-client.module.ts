import { Global, Module } from '@nestjs/common';
import { TerraClient } from 'terra-api';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { TerraGateway } from './terra.gateway';
import { TerraWidgetSessionClient } from './terra-widget-session.client';

/**
 * The Terra SDK client and the gateway over it. Global so the API and the worker share one gateway (and
 * so one widget-endpoint switch) whichever modules import it; it needs AppConfigModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: TerraClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new TerraClient({ baseUrl: config.TERRA_API_URL, devId: config.TERRA_DEV_ID, apiKey: config.TERRA_API_KEY }),
    },
    {
      provide: TerraWidgetSessionClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TerraWidgetSessionClient(config),
    },
    TerraGateway,
  ],
  exports: [TerraClient, TerraGateway],
})
export class TerraClientModule {}
