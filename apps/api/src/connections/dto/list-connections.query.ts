import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEnum, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CONNECTION_STATUSES, FRESHNESS_VALUES, MAX_PAGE_SIZE, type Freshness } from '@terra-connections/connections';
import { ConnectionStatus } from '@terra-connections/persistence';
import { PagedQuery } from '../../common/paged.query';
import { PROVIDER_MESSAGE, PROVIDER_PATTERN, REFERENCE_ID_MESSAGE, REFERENCE_ID_PATTERN, toUpperCase } from './dto-validators';

/**
 * `GET /v1/connections` query. `limit` above the maximum is capped by the service, not rejected. Type checks
 * sit nearest the property: they run first.
 */
export class ListConnectionsQuery extends PagedQuery(MAX_PAGE_SIZE) {
  @ApiPropertyOptional({ maxLength: 255, description: 'Every connection of one person' })
  @IsOptional()
  @Matches(REFERENCE_ID_PATTERN, { message: REFERENCE_ID_MESSAGE })
  @MaxLength(255)
  @IsString()
  reference_id?: string;

  @ApiPropertyOptional({ pattern: PROVIDER_PATTERN.source, example: 'FITBIT' })
  @IsOptional()
  @Matches(PROVIDER_PATTERN, { message: PROVIDER_MESSAGE('provider') })
  @IsString()
  @Transform(toUpperCase)
  provider?: string;

  /** `replaced` passes the enum check and is refused by the service with the reason (a 400). */
  @ApiPropertyOptional({
    enum: CONNECTION_STATUSES,
    enumName: 'ConnectionStatus',
    description: 'The status of the connection (its current Terra user id). `replaced` is a 400 saying why: a connection is never replaced',
  })
  @IsOptional()
  @IsEnum(ConnectionStatus, { message: `status must be one of ${CONNECTION_STATUSES.join(', ')}` })
  status?: ConnectionStatus;

  @ApiPropertyOptional({
    enum: FRESHNESS_VALUES,
    enumName: 'ConnectionFreshness',
    description: 'Only connections whose data is fresh, stale (every expected data type silent past its window) or unknown',
  })
  @IsOptional()
  @IsIn(FRESHNESS_VALUES, { message: `freshness must be one of ${FRESHNESS_VALUES.join(', ')}` })
  freshness?: Freshness;
}
