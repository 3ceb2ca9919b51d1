import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsInt, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ConnectionStatus } from '@terra-connections/persistence';
import { PROVIDER_MESSAGE, PROVIDER_PATTERN, toUpperCase } from './dto-validators';

/**
 * `GET /v1/connections` query. `limit` above the maximum is capped by the service, not rejected. Type checks
 * sit nearest the property: they run first.
 */
export class ListConnectionsQuery {
  @ApiPropertyOptional({ maxLength: 255, description: 'Every connection of one person' })
  @IsOptional()
  @MaxLength(255)
  @IsString()
  reference_id?: string;

  @ApiPropertyOptional({ pattern: PROVIDER_PATTERN.source, example: 'FITBIT' })
  @IsOptional()
  @Matches(PROVIDER_PATTERN, { message: PROVIDER_MESSAGE('provider') })
  @IsString()
  @Transform(toUpperCase)
  provider?: string;

  @ApiPropertyOptional({ enum: ConnectionStatus, enumName: 'ConnectionStatus' })
  @IsOptional()
  @IsEnum(ConnectionStatus, { message: `status must be one of ${Object.values(ConnectionStatus).join(', ')}` })
  status?: ConnectionStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 50, description: 'Page size; values above 200 are capped at 200' })
  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  limit?: number;

  @ApiPropertyOptional({ maxLength: 64, description: '`next_cursor` of the previous page' })
  @IsOptional()
  @MaxLength(64)
  @IsNotEmpty()
  @IsString()
  cursor?: string;
}
