import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  WebhookEventsQuery,
  WebhookReplayService,
  type Page,
  type ReplayResult,
  type WebhookEventSummary,
} from '@terra-connections/webhooks';
import { AdminOnly, ApiKeyGuard } from '../common/api-key.guard';
import { WebhookEventsQueryDto } from './dto/webhook-events.query.dto';
import { WebhookEventIdPipe } from './webhook-event-id.pipe';

const PAGE = { default: 50, max: 500 };

/** The inbox for operators: dead letters, backlog, and replay. Admin keys only (ADMIN_API_KEYS). */
@Controller('v1/webhook-events')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class WebhookEventsController {
  constructor(
    private readonly events: WebhookEventsQuery,
    private readonly replay: WebhookReplayService,
  ) {}

  @Get()
  list(@Query() query: WebhookEventsQueryDto): Promise<Page<WebhookEventSummary>> {
    return this.events.byStatus(query.status, {
      limit: Math.min(query.limit ?? PAGE.default, PAGE.max),
      cursor: query.cursor,
    });
  }

  @Post('replay-failed')
  @HttpCode(202)
  replayFailed(): Promise<{ replayed: number; enqueued: number }> {
    return this.replay.replayFailed();
  }

  @Post(':id/replay')
  @HttpCode(202)
  replayOne(@Param('id', WebhookEventIdPipe) id: string): Promise<ReplayResult> {
    return this.replay.replayOne(id);
  }
}
