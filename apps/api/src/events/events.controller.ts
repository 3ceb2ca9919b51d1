import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventFeedQuery } from '@terra-connections/connections';
import { ApiErrors, SERVICE_KEY_SCHEME } from '../common/api-error.response';
import { ApiKeyGuard } from '../common/api-key.guard';
import { toEventPageResponse } from './dto/event.mapper';
import { EventPageResponse } from './dto/event.responses';
import { EventsFeedQueryDto } from './dto/events.query.dto';

/** The outbound events as a feed, for services without a webhook endpoint (docs/events.md). */
@ApiTags('events')
@ApiBearerAuth(SERVICE_KEY_SCHEME)
@ApiErrors(401)
@Controller('v1/events')
@UseGuards(ApiKeyGuard)
export class EventsController {
  constructor(private readonly feed: EventFeedQuery) {}

  @Get()
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'Events, oldest first; `next_cursor` is returned on every page, so a consumer can tail the feed and resume after a restart',
  })
  @ApiOkResponse({ type: EventPageResponse })
  @ApiErrors(400)
  async list(@Query() query: EventsFeedQueryDto): Promise<EventPageResponse> {
    const page = await this.feed.page(
      { types: query.types, referenceId: query.reference_id, connectionId: query.connection_id },
      { limit: query.pageLimit(), cursor: query.cursor },
    );
    return toEventPageResponse(page);
  }
}
