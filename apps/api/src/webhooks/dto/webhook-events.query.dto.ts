import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { WebhookEventStatus } from '@terra-connections/persistence';
import { PageQueryDto } from './page.query.dto';

const STATUSES = Object.values(WebhookEventStatus);

/** `GET /v1/webhook-events` (admin): the dead letters (`failed`), the backlog (`pending`), or everything. */
export class WebhookEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STATUSES, enumName: 'WebhookEventStatus', description: '`failed` lists the dead letters; omitted: every status' })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: WebhookEventStatus;
}
