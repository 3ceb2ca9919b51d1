import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { toBoolean } from './dto-validators';

/** `GET /v1/connections/:terra_user_id` query. */
export class GetConnectionQuery {
  @ApiPropertyOptional({ type: Boolean, description: 'Ask Terra first (userInfo) and update the row' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'refresh must be true or false' })
  refresh?: boolean;
}
