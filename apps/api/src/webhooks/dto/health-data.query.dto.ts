import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { HealthDataType } from '@terra-connections/persistence';
import { IsCalendarDateOrDateTime } from '../../common/calendar-date.validator';
import { PagedQuery } from '../../common/paged.query';

/** Health data rows can be large: a smaller page than the event history. */
export const DATA_PAGE_MAX = 200;

const HEALTH_DATA_TYPES = Object.values(HealthDataType);

/** `GET /v1/connections/:terra_user_id/data`. limit above the maximum is capped, not rejected. */
export class HealthDataQueryDto extends PagedQuery(DATA_PAGE_MAX) {
  @ApiPropertyOptional({ enum: HEALTH_DATA_TYPES, enumName: 'HealthDataType' })
  @IsOptional()
  @IsIn(HEALTH_DATA_TYPES, { message: `type must be one of ${HEALTH_DATA_TYPES.join(', ')}` })
  type?: HealthDataType;

  @ApiPropertyOptional({ description: "A day (YYYY-MM-DD, compared with the record's day, inclusive) or an ISO 8601 date-time", example: '2026-11-01' })
  @IsOptional()
  @IsCalendarDateOrDateTime()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ description: 'A day (YYYY-MM-DD, inclusive) or an ISO 8601 date-time (exclusive)', example: '2026-11-30' })
  @IsOptional()
  @IsCalendarDateOrDateTime()
  @IsString()
  to?: string;

}
