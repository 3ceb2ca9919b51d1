import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EndpointDeliveriesQuery, WebhookEndpointsService } from '@terra-connections/events';
import { ADMIN_KEY_SCHEME, ApiErrors } from '../common/api-error.response';
import { AdminOnly, ApiKeyGuard } from '../common/api-key.guard';
import { JsonBodyGuard } from '../common/json-body.guard';
import { toPageResponse } from '../common/page.response';
import { CreateWebhookEndpointDto, EndpointDeliveriesQueryDto, WebhookEndpointsQueryDto, ReplaySinceDto, RotateSecretDto, UpdateWebhookEndpointDto } from './dto/webhook-endpoint.dto';
import { toEndpointDeliveryResponse, toWebhookEndpointResponse } from './dto/webhook-endpoint.mapper';
import {
  CreatedWebhookEndpointResponse,
  EndpointDeliveryPageResponse,
  ReplayedResponse,
  RotatedSecretResponse,
  WebhookEndpointListResponse,
  WebhookEndpointResponse,
} from './dto/webhook-endpoint.responses';
import { DeliveryIdPipe, WebhookEndpointIdPipe } from './webhook-endpoint-id.pipe';

/** How long an old secret keeps signing after a rotation unless the caller says otherwise: a day. */
const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;

const EndpointId = () => ApiParam({ name: 'id', description: 'Webhook endpoint id' });

/** Where outbound events are delivered (docs/events.md). Admin keys only (ADMIN_API_KEYS). */
@ApiTags('admin')
@ApiBearerAuth(ADMIN_KEY_SCHEME)
@ApiErrors(401)
@Controller('v1/webhook-endpoints')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class WebhookEndpointsController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: EndpointDeliveriesQuery,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createWebhookEndpoint', summary: 'Admin: register an endpoint; the response holds its signing secret, shown once' })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointResponse })
  @ApiErrors(400)
  @UseGuards(JsonBodyGuard)
  async create(@Body() body: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointResponse> {
    const { endpoint, secret } = await this.endpoints.create({
      url: body.url,
      eventTypes: body.event_types,
      description: body.description,
      includeData: body.include_data,
    });
    return { ...toWebhookEndpointResponse(endpoint), secret };
  }

  @Get()
  @ApiErrors(400)
  @ApiOperation({ operationId: 'listWebhookEndpoints', summary: 'Admin: every endpoint (never its secret)' })
  @ApiOkResponse({ type: WebhookEndpointListResponse })
  async list(@Query() query: WebhookEndpointsQueryDto): Promise<WebhookEndpointListResponse> {
    return toPageResponse(await this.endpoints.list({ limit: query.pageLimit(), cursor: query.cursor }), toWebhookEndpointResponse);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhookEndpoint', summary: 'Admin: one endpoint' })
  @EndpointId()
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors(400, 404)
  async get(@Param('id', WebhookEndpointIdPipe) id: string): Promise<WebhookEndpointResponse> {
    return toWebhookEndpointResponse(await this.endpoints.get(id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateWebhookEndpoint', summary: 'Admin: change the URL, the types, the description, or enable / disable' })
  @EndpointId()
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors(400, 404)
  @UseGuards(JsonBodyGuard)
  async update(@Param('id', WebhookEndpointIdPipe) id: string, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointResponse> {
    return toWebhookEndpointResponse(
      await this.endpoints.update(id, { url: body.url, eventTypes: body.event_types, description: body.description, enabled: body.enabled }),
    );
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Admin: delete an endpoint with its delivery log' })
  @EndpointId()
  @ApiNoContentResponse()
  @ApiErrors(400, 404)
  @HttpCode(204)
  async remove(@Param('id', WebhookEndpointIdPipe) id: string): Promise<void> {
    await this.endpoints.remove(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ operationId: 'listWebhookEndpointDeliveries', summary: 'Admin: deliveries to an endpoint, newest first, each with every attempt' })
  @EndpointId()
  @ApiOkResponse({ type: EndpointDeliveryPageResponse })
  @ApiErrors(400, 404)
  async deliveriesOf(@Param('id', WebhookEndpointIdPipe) id: string, @Query() query: EndpointDeliveriesQueryDto): Promise<EndpointDeliveryPageResponse> {
    const page = await this.deliveries.page(id, query.status, { limit: query.pageLimit(), cursor: query.cursor });
    return toPageResponse(page, toEndpointDeliveryResponse);
  }

  @Post(':id/rotate-secret')
  @ApiOperation({ operationId: 'rotateWebhookEndpointSecret', summary: 'Admin: a new signing secret; the old one keeps signing beside it for the overlap' })
  @EndpointId()
  @ApiOkResponse({ type: RotatedSecretResponse })
  @ApiErrors(400, 404)
  @HttpCode(200)
  async rotateSecret(@Param('id', WebhookEndpointIdPipe) id: string, @Body() body: RotateSecretDto): Promise<RotatedSecretResponse> {
    const rotated = await this.endpoints.rotateSecret(id, body.overlap_seconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS);
    return { secret: rotated.secret, previous_secret_expires_at: rotated.previousSecretExpiresAt.toISOString() };
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @ApiOperation({ operationId: 'replayWebhookEndpointDelivery', summary: 'Admin: send one delivery again (a new round of attempts)' })
  @EndpointId()
  @ApiParam({ name: 'deliveryId', description: 'Delivery id' })
  @ApiAcceptedResponse({ type: ReplayedResponse })
  @ApiErrors(400, 404)
  @HttpCode(202)
  async replayOne(@Param('id', WebhookEndpointIdPipe) id: string, @Param('deliveryId', DeliveryIdPipe) deliveryId: string): Promise<ReplayedResponse> {
    if (!(await this.endpoints.replayDelivery(id, deliveryId))) throw new NotFoundException(`No delivery ${deliveryId} to endpoint ${id}`);
    return { replayed: 1 };
  }

  @Post(':id/replay')
  @ApiOperation({ operationId: 'replayWebhookEndpointSince', summary: 'Admin: deliver every kept event since a time again' })
  @EndpointId()
  @ApiAcceptedResponse({ type: ReplayedResponse })
  @ApiErrors(400, 404)
  @HttpCode(202)
  @UseGuards(JsonBodyGuard)
  async replaySince(@Param('id', WebhookEndpointIdPipe) id: string, @Body() body: ReplaySinceDto): Promise<ReplayedResponse> {
    return { replayed: await this.endpoints.replaySince(id, new Date(body.since)) };
  }
}
