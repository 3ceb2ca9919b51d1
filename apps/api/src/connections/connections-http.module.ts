import { Module } from '@nestjs/common';
import { ConnectionsModule } from '@terra-connections/connections';
import { ConnectResultPagesModule } from '../pages/connect-result-pages.module';
import { ConnectionsController } from './connections.controller';
import { ProvidersController } from './providers.controller';

/** HTTP surface for internal services: /v1/connections, /v1/providers, and the /connect result pages. */
@Module({
  imports: [ConnectionsModule, ConnectResultPagesModule],
  controllers: [ConnectionsController, ProvidersController],
})
export class ConnectionsHttpModule {}
