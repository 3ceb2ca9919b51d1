import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from '@terra-connections/connections';
import { DELIVERY_STATUSES } from '@terra-connections/events';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PagedQuery } from '../../common/paged.query';

const TYPES_MESSAGE = `event_types must be among ${EVENT_TYPES.join(', ')}`;

/** `POST /v1/webhook-endpoints`. */
export class CreateWebhookEndpointDto {
  @ApiProperty({ maxLength: 2048, description: 'http or https URL events are POSTed to', example: 'https://svc.internal/terra-events' })
  @MaxLength(2048)
  @IsNotEmpty()
  @IsString()
  url!: string;

  @ApiPropertyOptional({ type: [String], enum: EVENT_TYPES, description: 'Only these types; omitted: every type' })
  @IsOptional()
  @IsIn(EVENT_TYPES, { each: true, message: TYPES_MESSAGE })
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsArray()
  event_types?: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  description?: string;

  @ApiPropertyOptional({ default: false, description: 'Stored for the opt-in to health values in data.received (not sent yet)' })
  @IsOptional()
  @IsBoolean()
  include_data?: boolean;
}

/** `PATCH /v1/webhook-endpoints/{id}`: the fields given change. */
export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @MaxLength(2048)
  @IsNotEmpty()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ type: [String], enum: EVENT_TYPES, nullable: true, description: 'null: every type' })
  @IsOptional()
  @IsIn(EVENT_TYPES, { each: true, message: TYPES_MESSAGE })
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsArray()
  event_types?: string[] | null;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  description?: string;

  @ApiPropertyOptional({ description: 'false stops deliveries; true resumes them (and clears the reason it was disabled)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** `GET /v1/webhook-endpoints`. */
export class WebhookEndpointsQueryDto extends PagedQuery(200) {}

/** `GET /v1/webhook-endpoints/{id}/deliveries`. */
export class EndpointDeliveriesQueryDto extends PagedQuery(200) {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: (typeof DELIVERY_STATUSES)[number];
}

/** `POST /v1/webhook-endpoints/{id}/rotate-secret`. */
export class RotateSecretDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 604_800, default: 86_400, description: 'Seconds the old secret keeps signing beside the new one' })
  @IsOptional()
  @Max(604_800)
  @Min(0)
  @IsInt()
  overlap_seconds?: number;
}

/** `POST /v1/webhook-endpoints/{id}/replay`. */
export class ReplaySinceDto {
  @ApiProperty({ format: 'date-time', description: 'Every event written since then (and kept: EVENTS_RETENTION_DAYS) is delivered again' })
  @IsISO8601({ strict: true })
  @IsString()
  since!: string;
}
