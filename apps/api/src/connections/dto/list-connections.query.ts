import { Transform, Type } from 'class-transformer';
import { IsEnum, IsInt, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ConnectionStatus } from '@terra-connections/persistence';
import { PROVIDER_MESSAGE, PROVIDER_PATTERN, toUpperCase } from './dto-validators';

/**
 * `GET /v1/connections` query. `limit` above the maximum is capped by the service, not rejected. Type checks
 * sit nearest the property: they run first.
 */
export class ListConnectionsQuery {
  @IsOptional()
  @MaxLength(255)
  @IsString()
  reference_id?: string;

  @IsOptional()
  @Matches(PROVIDER_PATTERN, { message: PROVIDER_MESSAGE('provider') })
  @IsString()
  @Transform(toUpperCase)
  provider?: string;

  @IsOptional()
  @IsEnum(ConnectionStatus, { message: `status must be one of ${Object.values(ConnectionStatus).join(', ')}` })
  status?: ConnectionStatus;

  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  limit?: number;

  @IsOptional()
  @MaxLength(64)
  @IsNotEmpty()
  @IsString()
  cursor?: string;
}
