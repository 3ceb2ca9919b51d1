import { ApiProperty } from '@nestjs/swagger';
import { DRIFT_KINDS, type DriftKind, type DriftRecord } from '@terra-connections/connections';

export class DriftResponse {
  @ApiProperty({ example: '42' })
  id!: string;

  @ApiProperty({
    enum: DRIFT_KINDS,
    enumName: 'DriftKind',
    description:
      'missed_deauth: Terra no longer has a live connection (disconnected); missed_auth: a Terra user answering a connect attempt of ours (created); unknown_terra_user: a Terra user nobody asked for (created); status_mismatch: active here, inactive at Terra (errored); reference_mismatch: Terra holds another reference_id (ours corrected)',
  })
  kind!: DriftKind;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The connection corrected' })
  connection_id!: string | null;

  @ApiProperty()
  terra_user_id!: string;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'What we had (null: nothing)', example: { status: 'active' } })
  ours!: Record<string, unknown> | null;

  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'What Terra said (null: it does not have the user)',
    example: null,
  })
  terra!: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time' })
  detected_at!: string;
}

export class DriftPageResponse {
  @ApiProperty({ type: [DriftResponse] })
  data!: DriftResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass back unchanged as `cursor`; null on the last page' })
  next_cursor!: string | null;
}

export function toDriftResponse(drift: DriftRecord): DriftResponse {
  return {
    id: drift.id,
    kind: drift.kind,
    connection_id: drift.connectionId,
    terra_user_id: drift.terraUserId,
    ours: drift.ours,
    terra: drift.terra,
    detected_at: drift.detectedAt.toISOString(),
  };
}
