import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES } from '@terra-connections/events';

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: [String], nullable: true, description: 'null: every type' })
  event_types!: string[] | null;

  @ApiProperty()
  include_data!: boolean;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why it was disabled (e.g. it answered 410 Gone)' })
  disabled_reason!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class CreatedWebhookEndpointResponse extends WebhookEndpointResponse {
  @ApiProperty({ description: 'The signing secret (Standard Webhooks `whsec_...`): shown only in this response', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret!: string;
}

export class WebhookEndpointListResponse {
  @ApiProperty({ type: [WebhookEndpointResponse] })
  data!: WebhookEndpointResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  next_cursor!: string | null;
}

export class DeliveryAttemptResponse {
  @ApiProperty()
  attempt!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'null: no response (refused address, connection error, deadline)' })
  status_code!: number | null;

  @ApiProperty()
  duration_ms!: number;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_attempt_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  attempted_at!: string;
}

export class EndpointDeliveryResponse {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'The event id (the `webhook-id` header)' })
  event_id!: string;

  @ApiProperty()
  event_type!: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: Number, nullable: true })
  last_status_code!: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_attempt_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delivered_at!: string | null;

  @ApiProperty({ type: [DeliveryAttemptResponse] })
  attempt_log!: DeliveryAttemptResponse[];
}

export class EndpointDeliveryPageResponse {
  @ApiProperty({ type: [EndpointDeliveryResponse] })
  data!: EndpointDeliveryResponse[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class RotatedSecretResponse {
  @ApiProperty({ description: 'The new signing secret: shown only in this response' })
  secret!: string;

  @ApiProperty({ format: 'date-time', description: 'Until then deliveries carry two signatures (new and old secret)' })
  previous_secret_expires_at!: string;
}

export class ReplayedResponse {
  @ApiProperty({ description: 'Deliveries queued again' })
  replayed!: number;
}
