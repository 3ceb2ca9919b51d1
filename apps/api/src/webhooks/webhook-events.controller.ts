import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WebhookEventsQuery, WebhookReplayService } from '@terra-connections/webhook-ingest';
import { ADMIN_KEY_SCHEME, ApiErrors } from '../common/api-error.response';
import { AdminOnly, ApiKeyGuard } from '../common/api-key.guard';
import { toPageResponse } from '../common/page.response';
import { toReplayFailedResponse, toReplayResultResponse, toWebhookEventResponse } from './dto/webhook-event.mapper';
import { WebhookEventsQueryDto } from './dto/webhook-events.query.dto';
import { ReplayFailedResponse, ReplayResultResponse, WebhookEventPageResponse } from './dto/webhook.responses';
import { WebhookEventIdPipe } from './webhook-event-id.pipe';

/**
 * The inbox for operators: dead letters, backlog, and replay. Admin keys only (ADMIN_API_KEYS). At
 * /v1/terra-deliveries; /v1/webhook-events is the deprecated alias (`events` names the outbound events now).
 */
@ApiTags('admin')
@ApiBearerAuth(ADMIN_KEY_SCHEME)
@ApiErrors(401)
@Controller(['v1/terra-deliveries', 'v1/webhook-events'])
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class WebhookEventsController {
  constructor(
    private readonly events: WebhookEventsQuery,
    private readonly replay: WebhookReplayService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listWebhookEvents', summary: 'Admin: inbox rows by status (`failed` = dead letters), newest first' })
  @ApiOkResponse({ type: WebhookEventPageResponse })
  @ApiErrors(400)
  async list(@Query() query: WebhookEventsQueryDto): Promise<WebhookEventPageResponse> {
    const page = await this.events.byStatus(query.status, {
      limit: query.pageLimit(),
      cursor: query.cursor,
    });
    return toPageResponse(page, toWebhookEventResponse);
  }

  @Post('replay-failed')
  @ApiOperation({ operationId: 'replayFailedWebhookEvents', summary: 'Admin: replay every failed webhook event' })
  @ApiAcceptedResponse({ type: ReplayFailedResponse })
  @HttpCode(202)
  async replayFailed(): Promise<ReplayFailedResponse> {
    return toReplayFailedResponse(await this.replay.replayFailed());
  }

  @Post(':id/replay')
  @ApiOperation({ operationId: 'replayWebhookEvent', summary: 'Admin: replay one failed (or stuck pending) webhook event' })
  @ApiParam({ name: 'id', description: 'Webhook event (inbox) id' })
  @ApiAcceptedResponse({ type: ReplayResultResponse })
  @ApiErrors(400, 404, 409)
  @HttpCode(202)
  async replayOne(@Param('id', WebhookEventIdPipe) id: string): Promise<ReplayResultResponse> {
    return toReplayResultResponse(await this.replay.replayOne(id));
  }
}
