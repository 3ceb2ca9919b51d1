import { ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from '@terra-connections/connections';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PagedQuery } from '../../common/paged.query';

export const EVENTS_FEED_PAGE_MAX = 500;

/** `GET /v1/events`: the feed, oldest first; `types` is a comma-separated list. */
export class EventsFeedQueryDto extends PagedQuery(EVENTS_FEED_PAGE_MAX) {
  @ApiPropertyOptional({
    type: String,
    description: `Comma-separated event types to include (${EVENT_TYPES.join(', ')}); omitted: every type`,
    example: 'connection.connected,data.received',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((type) => type.trim()).filter(Boolean) : value))
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsIn(EVENT_TYPES, { each: true, message: `types must be among ${EVENT_TYPES.join(', ')}` })
  types?: string[];

  @ApiPropertyOptional({ maxLength: 255, description: 'Only the events of this reference_id (one person)' })
  @IsOptional()
  @MaxLength(255)
  @IsString()
  reference_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the events of this connection (its `connection_id`)' })
  @IsOptional()
  @IsUUID()
  connection_id?: string;
}
