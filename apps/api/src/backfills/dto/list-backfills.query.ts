import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { BACKFILL_STATUSES, type BackfillStatus } from '@terra-connections/connections';
import { PagedQuery } from '../../common/paged.query';

export class ListBackfillsQuery extends PagedQuery(100) {
  @ApiPropertyOptional({ enum: BACKFILL_STATUSES })
  @IsOptional()
  @IsIn(BACKFILL_STATUSES, { message: `status must be one of ${BACKFILL_STATUSES.join(', ')}` })
  status?: BackfillStatus;
}
