import { ApiPropertyOptional } from '@nestjs/swagger';
import { DRIFT_KINDS, DRIFT_PAGE_MAX, type DriftKind } from '@terra-connections/connections';
import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';
import { PagedQuery } from '../../common/paged.query';

/** `GET /v1/admin/drift`: the corrections reconciliation made, oldest first. */
export class DriftQueryDto extends PagedQuery(DRIFT_PAGE_MAX) {
  @ApiPropertyOptional({ format: 'date-time', description: 'Only corrections detected at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time, e.g. 2026-12-01T00:00:00Z' })
  @IsString()
  since?: string;

  @ApiPropertyOptional({ enum: DRIFT_KINDS, enumName: 'DriftKind', description: 'Only corrections of this kind' })
  @IsOptional()
  @IsIn(DRIFT_KINDS, { message: `kind must be one of ${DRIFT_KINDS.join(', ')}` })
  kind?: DriftKind;
}
