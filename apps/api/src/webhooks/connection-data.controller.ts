import { Controller, Get, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthDataQuery, WebhookEventsQuery, type InflightBudget } from '@terra-connections/webhook-ingest';
import { ApiErrors, SERVICE_KEY_SCHEME } from '../common/api-error.response';
import { ApiKeyGuard } from '../common/api-key.guard';
import { toPageResponse } from '../common/page.response';
import { ApiConnectionId } from '../connections/connections.controller';
import { ConnectionIdPipe } from '../connections/connection-id.pipe';
import { DATA_READ_BUDGET } from './data-read-budget';
import { toHealthDataItemResponse } from './dto/health-data.mapper';
import { HealthDataQueryDto } from './dto/health-data.query.dto';
import { PageQueryDto } from './dto/page.query.dto';
import { toWebhookEventResponse } from './dto/webhook-event.mapper';
import { HealthDataPageResponse, WebhookEventPageResponse } from './dto/webhook.responses';

/** What internal services read instead of our tables: a connection's health data and webhook history. */
@ApiTags('connections')
@ApiBearerAuth(SERVICE_KEY_SCHEME)
@ApiErrors(400, 401, 404)
@Controller('v1/connections')
@UseGuards(ApiKeyGuard)
export class ConnectionDataController {
  constructor(
    private readonly healthData: HealthDataQuery,
    @Inject(DATA_READ_BUDGET) private readonly readBudget: InflightBudget,
    private readonly events: WebhookEventsQuery,
  ) {}

  @Get(':id/data')
  @ApiOperation({ operationId: 'listHealthData', summary: 'Health data stored for a connection, oldest first by start time' })
  @ApiConnectionId()
  @ApiOkResponse({ type: HealthDataPageResponse })
  async data(
    @Param('id', ConnectionIdPipe) id: string,
    @Query() query: HealthDataQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<HealthDataPageResponse> {
    const filter = { type: query.type, from: query.from, to: query.to, limit: query.pageLimit(), cursor: query.cursor };
    const page = await this.healthData.list(id, filter, this.readBudget);
    // Held until the answer has been sent or the caller has gone ('close' comes either way), serialising and
    // sending it being where the memory goes. A caller gone while the page was read gets no 'close' any more.
    const release = () => this.readBudget.release(page.reservedBytes);
    if (res.destroyed || !res.socket || res.socket.destroyed) release();
    else res.once('close', release);
    return toPageResponse(page, toHealthDataItemResponse);
  }

  /**
   * Newest first; type, status, times and last_error, never the payload. `terra-deliveries`: `events` names the
   * outbound events now (GET /v1/events); the old path stays as a deprecated alias (openapi-document.ts).
   */
  @Get([':id/terra-deliveries', ':id/events'])
  @ApiOperation({ operationId: 'listConnectionEvents', summary: "Terra's webhook deliveries about a connection (every Terra id it had), newest first (never the payload)" })
  @ApiConnectionId()
  @ApiOkResponse({ type: WebhookEventPageResponse })
  async history(
    @Param('id', ConnectionIdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<WebhookEventPageResponse> {
    const page = await this.events.forConnection(id, {
      limit: query.pageLimit(),
      cursor: query.cursor,
    });
    return toPageResponse(page, toWebhookEventResponse);
  }
}
