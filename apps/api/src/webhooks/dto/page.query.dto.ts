import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

/** `limit` and `cursor` of the webhook history routes. limit above the maximum is capped, not rejected. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 50, description: 'Page size; values above 500 are capped at 500' })
  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  limit?: number;

  @ApiPropertyOptional({ maxLength: 256, description: '`next_cursor` of the previous page' })
  @IsOptional()
  @MaxLength(256)
  @IsNotEmpty()
  @IsString()
  cursor?: string;
}
