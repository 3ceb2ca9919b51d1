import { Module } from '@nestjs/common';
import { BackfillsService, ConnectionsModule } from '@terra-connections/connections';
import { BackfillsController } from './backfills.controller';

/** /v1/connections/{id}/backfills and /v1/backfills/{id}. */
@Module({
  imports: [ConnectionsModule],
  providers: [BackfillsService],
  controllers: [BackfillsController],
})
export class BackfillsHttpModule {}
