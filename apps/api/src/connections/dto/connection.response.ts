import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONNECTION_STATUSES, FRESHNESS_VALUES, type Freshness } from '@terra-connections/connections';

// The wire shapes: response schemas of the OpenAPI document, and the return types of the mappers beside them
// (connection.mapper.ts, connect-attempt.mapper.ts), so a body and its documented schema change together.

const ISO = { type: String, format: 'date-time', nullable: true } as const;

export type ConnectionStatusValue = (typeof CONNECTION_STATUSES)[number];

export class ConnectionResponse {
  @ApiProperty({
    format: 'uuid',
    description: 'Our stable id of the connection (one provider account of one person): it survives reconnects, which give it a new Terra user id',
    example: '6f1d2c3b-8a4e-8f01-9b2c-3d4e5f6a7b8c',
  })
  connection_id!: string;

  @ApiProperty({ description: "The connection's current Terra user id", example: 'bc205b50-3f5c-4c8e-9d3e-2f0a1c9e7a11' })
  terra_user_id!: string;

  @ApiProperty({
    type: [String],
    description: 'Every Terra user id the connection has had, oldest first; the last is terra_user_id',
    example: ['5220432c-8c1e-4c5e-a3b0-1f0e2d3c4b5a', 'bc205b50-3f5c-4c8e-9d3e-2f0a1c9e7a11'],
  })
  terra_user_ids!: string[];

  @ApiProperty({ type: String, nullable: true, description: 'Your id of the person', example: 'user_123' })
  reference_id!: string | null;

  @ApiProperty({ example: 'FITBIT' })
  provider!: string;

  @ApiProperty({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus', description: "The current Terra user id's status" })
  status!: ConnectionStatusValue;

  @ApiProperty({ type: [String], example: ['activity', 'sleep'] })
  scopes!: string[];

  @ApiProperty(ISO)
  connected_at!: string | null;

  @ApiProperty(ISO)
  disconnected_at!: string | null;

  @ApiProperty(ISO)
  last_webhook_at!: string | null;

  @ApiProperty(ISO)
  last_sync_at!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  status_reason!: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the connection was first seen (its first Terra user id)' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({
    enum: FRESHNESS_VALUES,
    enumName: 'ConnectionFreshness',
    description:
      'fresh: data arrives as this connection\'s own rhythm says; stale: every data type it regularly sends has been silent past its window; unknown: too new to judge, nothing regular yet, or ended',
  })
  freshness!: Freshness;

  @ApiProperty({ ...ISO, description: 'When data of any type last arrived' })
  last_data_at!: string | null;
}

export class TypeFreshnessResponse {
  @ApiProperty({ example: 'sleep' })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When data of this type last arrived' })
  last_received_at!: string;

  @ApiProperty({ ...ISO, description: 'The newest provider-side time (end, start or date) in that data' })
  last_data_time!: string | null;

  @ApiProperty({ example: 259200000, description: 'How long this type may be silent, in milliseconds' })
  window_ms!: number;

  @ApiProperty({ description: "true: the window comes from this type's own gaps; false: the provider class's default" })
  learned!: boolean;

  @ApiProperty({ description: 'Arrived often enough to have a rhythm: its silence counts' })
  expected!: boolean;

  @ApiProperty({ description: 'Silent past its window now' })
  overdue!: boolean;
}

export class ConnectionDetailResponse extends ConnectionResponse {
  @ApiProperty({ type: [TypeFreshnessResponse], description: 'Freshness per data type the connection has sent' })
  freshness_types!: TypeFreshnessResponse[];
}

export class ConnectionPageResponse {
  @ApiProperty({ type: [ConnectionResponse] })
  data!: ConnectionResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass back unchanged as `cursor`; null on the last page' })
  next_cursor!: string | null;
}

export class DirectConnectResponse {
  @ApiProperty({ enum: ['direct'] })
  type!: 'direct';

  @ApiProperty({ description: "The provider's login page; open it in a real browser tab" })
  url!: string;

  @ApiProperty()
  terra_user_id!: string;

  @ApiProperty()
  reference_id!: string;

  @ApiProperty({ example: 'FITBIT' })
  provider!: string;
}

export class WidgetConnectResponse {
  @ApiProperty({ enum: ['widget'] })
  type!: 'widget';

  @ApiProperty({ description: "Terra's widget session; open it in a real browser tab" })
  url!: string;

  @ApiProperty()
  session_id!: string;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;

  @ApiProperty()
  reference_id!: string;

  @ApiPropertyOptional({ type: [String], description: 'What Terra had to say about the requested providers' })
  warnings?: string[];
}

export class MobileTokenResponse {
  @ApiProperty({ description: 'Single-use token for initConnection in the Terra mobile SDKs' })
  token!: string;

  @ApiProperty({ example: 180, description: 'Seconds until the token expires' })
  expires_in!: number;
}

export class ProviderResponse {
  @ApiProperty({ example: 'FITBIT' })
  provider!: string;

  @ApiProperty({ example: 'Fitbit' })
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  icon!: string | null;

  @ApiProperty({ type: String, nullable: true })
  setup!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' }, example: { activity: true, sleep: true } })
  types!: Record<string, boolean>;
}

export class ProvidersResponse {
  @ApiProperty({ type: [ProviderResponse] })
  data!: ProviderResponse[];

  @ApiProperty({ format: 'date-time' })
  fetched_at!: string;

  @ApiProperty({ description: 'true: Terra is down and this is the last good copy' })
  stale!: boolean;
}
