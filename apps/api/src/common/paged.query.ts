import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_LIMIT = 50;

/**
 * `limit` and `cursor` of every keyset-paginated route. A limit above `maxLimit` is capped, not rejected.
 * A class factory so each route documents its own maximum; extend it: `class X extends PagedQuery(200)`.
 */
export function PagedQuery(maxLimit: number) {
  class PagedQueryDto {
    @ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      default: DEFAULT_PAGE_LIMIT,
      description: `Page size; values above ${maxLimit} are capped at ${maxLimit}`,
    })
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

    /** The page size to query: the caller's limit, defaulted and capped. */
    pageLimit(): number {
      return Math.min(this.limit ?? DEFAULT_PAGE_LIMIT, maxLimit);
    }
  }
  return PagedQueryDto;
}
