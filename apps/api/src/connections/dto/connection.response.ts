import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConnectionStatus } from '@terra-connections/persistence';

// The wire shapes: response schemas of the OpenAPI document, and the return types of the mappers beside them
// (connection.mapper.ts, connect-attempt.mapper.ts), so a body and its documented schema change together.

const ISO = { type: String, format: 'date-time', nullable: true } as const;

export class ConnectionResponse {
  @ApiProperty({ description: 'Terra user id: one provider account connection', example: 'bc205b50-3f5c-4c8e-9d3e-2f0a1c9e7a11' })
  terra_user_id!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Your id of the person', example: 'user_123' })
  reference_id!: string | null;

  @ApiProperty({ example: 'FITBIT' })
  provider!: string;

  @ApiProperty({ enum: ConnectionStatus, enumName: 'ConnectionStatus' })
  status!: ConnectionStatus;

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

  @ApiProperty({ type: String, nullable: true, description: 'The terra_user_id that superseded this one (status replaced)' })
  replaced_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
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
