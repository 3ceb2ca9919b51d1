import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { HealthDataType } from '@terra-connections/persistence';

const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const HEALTH_DATA_TYPES = Object.values(HealthDataType);

/** `GET /v1/connections/:terra_user_id/data`. limit above the maximum is capped, not rejected. */
export class HealthDataQueryDto {
  @IsOptional()
  @IsIn(HEALTH_DATA_TYPES, { message: `type must be one of ${HEALTH_DATA_TYPES.join(', ')}` })
  type?: HealthDataType;

  @IsOptional()
  @Matches(DATE_OR_DATETIME, { message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' })
  @IsString()
  from?: string;

  @IsOptional()
  @Matches(DATE_OR_DATETIME, { message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time' })
  @IsString()
  to?: string;

  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  limit?: number;

  @IsOptional()
  @MaxLength(256)
  @IsNotEmpty()
  @IsString()
  cursor?: string;
}
