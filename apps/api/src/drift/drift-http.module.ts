import { Module } from '@nestjs/common';
import { DriftQuery } from '@terra-connections/connections';
import { DriftController } from './drift.controller';

/** /v1/admin/drift: the corrections reconciliation recorded. */
@Module({
  controllers: [DriftController],
  providers: [DriftQuery],
})
export class DriftHttpModule {}
