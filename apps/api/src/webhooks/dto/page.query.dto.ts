import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

/** `limit` and `cursor` of the webhook history routes. limit above the maximum is capped, not rejected. */
export class PageQueryDto {
  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  limit?: number;

  @IsOptional()
  @MaxLength(256)
  @IsNotEmpty()
  @IsString()
  cursor?: string;
}
