import { ApiProperty } from '@nestjs/swagger';
import { BACKFILL_STATUSES } from '@terra-connections/connections';

export class BackfillTypeProgressResponse {
  @ApiProperty({ example: 'daily' })
  type!: string;

  @ApiProperty({ enum: BACKFILL_STATUSES })
  status!: string;

  @ApiProperty({ description: 'Data calls made to Terra for this type, retries and re-requests included' })
  requests_made!: number;

  @ApiProperty({ description: 'Data webhooks received under the requests\' terra-reference' })
  chunks_received!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Chunks Terra announced (large_request_sending); null for a range of a month or less or until announced' })
  chunks_expected!: number | null;

  @ApiProperty({ description: 'Distinct days of this type stored for the connection within the range' })
  dates_stored!: number;

  @ApiProperty({ type: String, nullable: true, description: "Terra's reason when it failed, or why it waits or stalled" })
  reason!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the scheduler next acts on it (send, ask again, or call it stalled)' })
  next_action_at!: string | null;
}

export class BackfillResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  connection_id!: string;

  @ApiProperty({ description: 'The Terra user id the requests are made for' })
  terra_user_id!: string;

  @ApiProperty({ type: String, nullable: true })
  provider!: string | null;

  @ApiProperty({ enum: ['connect', 'api'], description: '`connect`: started when the connection became active; `api`: asked through this API' })
  trigger!: string;

  @ApiProperty({ enum: BACKFILL_STATUSES })
  status!: string;

  @ApiProperty({ type: String, nullable: true, example: '2026-09-01', description: 'null until an on-connect backfill is planned' })
  start_date!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-30' })
  end_date!: string | null;

  @ApiProperty({ type: [String], nullable: true })
  types!: string[] | null;

  @ApiProperty({ type: String, nullable: true, description: 'E.g. why it is unsupported, or that only the gap since the last stored data is asked' })
  message!: string | null;

  @ApiProperty({ type: [BackfillTypeProgressResponse] })
  progress!: BackfillTypeProgressResponse[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at!: string | null;
}

export class BackfillPageResponse {
  @ApiProperty({ type: [BackfillResponse] })
  data!: BackfillResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass back as `cursor` for the next page; null on the last page' })
  next_cursor!: string | null;
}
