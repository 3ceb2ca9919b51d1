import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { HealthDataType } from '@terra-connections/persistence';
import { PagedQuery } from '../../common/paged.query';

/** Health data rows can be large: a smaller page than the event history. */
export const DATA_PAGE_MAX = 200;

const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const HEALTH_DATA_TYPES = Object.values(HealthDataType);

/** `GET /v1/connections/:terra_user_id/data`. limit above the maximum is capped, not rejected. */
export class HealthDataQueryDto extends PagedQuery(DATA_PAGE_MAX) {
  @ApiPropertyOptional({ enum: HEALTH_DATA_TYPES, enumName: 'HealthDataType' })
  @IsOptional()
  @IsIn(HEALTH_DATA_TYPES, { message: `type must be one of ${HEALTH_DATA_TYPES.join(', ')}` })
  type?: HealthDataType;

  @ApiPropertyOptional({ description: "A day (YYYY-MM-DD, compared with the record's day, inclusive) or an ISO 8601 date-time", example: '2026-11-01' })
  @IsOptional()
  @Matches(DATE_OR_DATETIME, { message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' })
  @IsString()
  from?: string;

  @ApiPropertyOptional({ description: 'A day (YYYY-MM-DD, inclusive) or an ISO 8601 date-time (exclusive)', example: '2026-11-30' })
  @IsOptional()
  @Matches(DATE_OR_DATETIME, { message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time' })
  @IsString()
  to?: string;

}
