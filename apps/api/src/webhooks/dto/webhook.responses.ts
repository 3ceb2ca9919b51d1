import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WebhookEventStatus } from '@terra-connections/persistence';

// The wire shapes: response schemas of the OpenAPI document, and the return types of the mappers beside them
// (health-data.mapper.ts, webhook-event.mapper.ts, webhook-receipt.mapper.ts), so a body and its documented
// schema change together.

export class HealthDataItemResponse {
  @ApiProperty({ example: 'daily' })
  type!: string;

  @ApiPropertyOptional({ description: 'activity and sleep' })
  summary_id?: string;

  @ApiPropertyOptional({ description: "The provider's local day (YYYY-MM-DD) for daily, body, nutrition, menstruation" })
  date?: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  start_time!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  end_time!: string | null;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "The item as Terra sent it (Terra's data model for the type)" })
  payload!: unknown;
}

export class HealthDataPageResponse {
  @ApiProperty({ type: [HealthDataItemResponse] })
  data!: HealthDataItemResponse[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class WebhookEventResponse {
  @ApiProperty({ description: 'Inbox id (a bigint, as a string)', example: '1042' })
  id!: string;

  @ApiProperty({ example: 'activity' })
  type!: string;

  @ApiProperty({ type: String, nullable: true })
  terra_user_id!: string | null;

  @ApiProperty({ enum: WebhookEventStatus, enumName: 'WebhookEventStatus' })
  status!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ description: 'Redeliveries of the same event that were stored once' })
  duplicate_count!: number;

  @ApiProperty({ type: String, nullable: true })
  last_error!: string | null;

  @ApiProperty({ format: 'date-time' })
  received_at!: string;

  @ApiProperty({ format: 'date-time' })
  event_at!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the apply that committed began: the row is marked in the statement that locks it, and the mark commits with the apply',
  })
  processed_at!: string | null;
}

export class WebhookEventPageResponse {
  @ApiProperty({ type: [WebhookEventResponse] })
  data!: WebhookEventResponse[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class ReplayResultResponse {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: [WebhookEventStatus.Pending] })
  status!: WebhookEventStatus;

  @ApiProperty({ description: 'false: the job queue did not take it; the row is pending and the sweeper enqueues it' })
  enqueued!: boolean;
}

export class ReplayFailedResponse {
  @ApiProperty({ description: 'Failed events set pending again' })
  replayed!: number;

  @ApiProperty({ description: 'Of those, how many the job queue took at once (the sweeper takes the rest)' })
  enqueued!: number;
}

export class ReconcileQueuedResponse {
  @ApiProperty({ enum: ['queued'] })
  status!: 'queued';

  @ApiProperty()
  job_id!: string;
}

export class WebhookReceiptResponse {
  @ApiProperty({ enum: ['accepted', 'duplicate'] })
  status!: string;

  @ApiProperty({ description: 'Inbox id of the stored delivery' })
  event_id!: string;
}
