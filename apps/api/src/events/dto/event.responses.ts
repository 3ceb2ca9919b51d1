import { ApiProperty } from '@nestjs/swagger';
import { EVENT_TYPES } from '@terra-connections/connections';

/** The fields every event's `data` starts with; the type's own fields follow (docs/events.md). */
export class EventDataResponse {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null only for connection.attempt_failed' })
  connection_id!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The connection's current Terra user id" })
  terra_user_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  reference_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'OURA' })
  provider!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Per connection, increasing in commit order; null without a connection' })
  sequence!: number | null;
}

/** The Standard Webhooks body: the same in the feed and in every delivery. */
export class EventResponse {
  @ApiProperty({ example: 'evt_2b1f0c9e8d7a4b3c9f0e1d2c3b4a5968', description: 'Stable: the `webhook-id` of its deliveries' })
  id!: string;

  @ApiProperty({ enum: EVENT_TYPES, example: 'connection.connected' })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When it happened (Terra\'s ordering time for a webhook, our clock otherwise)' })
  timestamp!: string;

  @ApiProperty({ type: EventDataResponse, description: 'The connection fields, then the fields of the type (additional properties)' })
  data!: EventDataResponse & Record<string, unknown>;
}

export class EventPageResponse {
  @ApiProperty({ type: [EventResponse] })
  data!: EventResponse[];

  @ApiProperty({ description: 'Always set, on the last page too: pass it back as `cursor` to tail the feed' })
  next_cursor!: string;
}
