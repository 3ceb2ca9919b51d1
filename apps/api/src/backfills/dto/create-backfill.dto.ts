import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { TERRA_DATA_REQUEST_TYPES } from '@terra-connections/terra';
import { IsCalendarDateOrDateTime } from '../../common/calendar-date.validator';

/** The shape only (a day, not a date-time); whether it is a real day is the calendar check's. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `POST /v1/connections/{id}/backfills`. */
export class CreateBackfillDto {
  @ApiPropertyOptional({ enum: TERRA_DATA_REQUEST_TYPES, isArray: true, description: 'Data types to ask for; omitted: every type the provider offers' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TERRA_DATA_REQUEST_TYPES.length)
  @IsIn(TERRA_DATA_REQUEST_TYPES, { each: true, message: `types must each be one of ${TERRA_DATA_REQUEST_TYPES.join(', ')}` })
  types?: string[];

  @ApiProperty({ description: 'First day (YYYY-MM-DD, UTC), included', example: '2026-09-01' })
  @Matches(DAY, { message: 'start_date must be a date YYYY-MM-DD' })
  @IsCalendarDateOrDateTime({ message: 'start_date must be a real date YYYY-MM-DD' })
  @IsString()
  start_date!: string;

  @ApiProperty({ description: 'Last day (YYYY-MM-DD, UTC), included; not after today', example: '2026-11-30' })
  @Matches(DAY, { message: 'end_date must be a date YYYY-MM-DD' })
  @IsCalendarDateOrDateTime({ message: 'end_date must be a real date YYYY-MM-DD' })
  @IsString()
  end_date!: string;
}
