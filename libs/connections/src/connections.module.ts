import { Module } from '@nestjs/common';
import { TerraClientModule } from '@terra-connections/terra';
import { ConnectionAttemptsService } from './connection-attempts.service';
import { ConnectionsService } from './connections.service';
import { ProvidersService } from './providers.service';
import { ConnectionLifecycle } from './state/connection-lifecycle';

/**
 * The connection domain for both apps. Needs AppConfigModule and PersistenceModule (both global) in the
 * importing app; holds no HTTP concerns.
 */
@Module({
  imports: [TerraClientModule],
  providers: [ConnectionsService, ConnectionAttemptsService, ProvidersService, ConnectionLifecycle],
  exports: [ConnectionsService, ConnectionAttemptsService, ProvidersService, TerraClientModule],
})
export class ConnectionsModule {}
