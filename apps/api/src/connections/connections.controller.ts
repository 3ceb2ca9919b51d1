import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ConnectionAttemptsService, ConnectionsService } from '@terra-connections/connections';
import { ApiErrors, SERVICE_KEY_SCHEME } from '../common/api-error.response';
import { ApiKeyGuard } from '../common/api-key.guard';
import { JsonBodyGuard } from '../common/json-body.guard';
import { toPageResponse } from '../common/page.response';
import { ResultPageUrls } from '../pages/result-page-urls';
import {
  ConnectionDetailResponse,
  ConnectionPageResponse,
  ConnectionResponse,
  DirectConnectResponse,
  MobileTokenResponse,
  WidgetConnectResponse,
} from './dto/connection.response';
import { toConnectStartedResponse, toMobileTokenResponse } from './dto/connect-attempt.mapper';
import { toConnectionDetailResponse, toConnectionResponse } from './dto/connection.mapper';
import { CreateConnectionDto } from './dto/create-connection.dto';
import { GetConnectionQuery } from './dto/get-connection.query';
import { ListConnectionsQuery } from './dto/list-connections.query';
import { MobileTokenDto } from './dto/mobile-token.dto';
import { ConnectionIdPipe } from './connection-id.pipe';

/** Path parameter of every /v1/connections/{id} route. */
export const ApiConnectionId = () =>
  ApiParam({
    name: 'id',
    description: "The connection's `connection_id`, or any of its Terra user ids (current or old): the route acts on the connection",
  });

@ApiTags('connections')
@ApiBearerAuth(SERVICE_KEY_SCHEME)
@ApiErrors(401)
@Controller('v1/connections')
@UseGuards(ApiKeyGuard)
export class ConnectionsController {
  constructor(
    private readonly attempts: ConnectionAttemptsService,
    private readonly connections: ConnectionsService,
    private readonly resultPages: ResultPageUrls,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createConnection', summary: "Start a connection: a direct provider login link (`provider`) or a Terra widget session" })
  @ApiExtraModels(DirectConnectResponse, WidgetConnectResponse)
  @ApiCreatedResponse({
    description: 'A link to open in a real browser tab; the connection appears once Terra\'s `auth` webhook arrives',
    schema: { oneOf: [{ $ref: getSchemaPath(DirectConnectResponse) }, { $ref: getSchemaPath(WidgetConnectResponse) }] },
  })
  @ApiErrors(400, 413, 502, 504)
  @UseGuards(JsonBodyGuard)
  async create(@Body() body: CreateConnectionDto): Promise<DirectConnectResponse | WidgetConnectResponse> {
    const redirects = {
      successUrl: body.success_url ?? this.resultPages.successUrl(),
      failureUrl: body.failure_url ?? this.resultPages.failureUrl(),
      language: body.language,
    };
    const started = body.provider
      ? await this.attempts.startDirect({ referenceId: body.reference_id, provider: body.provider, ...redirects })
      : await this.attempts.startWidget({
          referenceId: body.reference_id,
          providers: body.providers,
          multiAuth: body.multi_auth,
          ...redirects,
        });
    return toConnectStartedResponse(started);
  }

  @Post('mobile-token')
  @ApiOperation({ operationId: 'createMobileToken', summary: 'A single-use token for the Terra mobile SDKs (Apple Health, Samsung Health, Health Connect)' })
  @ApiCreatedResponse({ type: MobileTokenResponse })
  @ApiErrors(400, 413, 502, 504)
  @UseGuards(JsonBodyGuard)
  async mobileToken(@Body() body: MobileTokenDto): Promise<MobileTokenResponse> {
    return toMobileTokenResponse(await this.attempts.startMobile({ referenceId: body.reference_id }));
  }

  @Get()
  @ApiOperation({ operationId: 'listConnections', summary: 'List and search connections, one row each (keyset pagination, oldest first)' })
  @ApiOkResponse({ type: ConnectionPageResponse })
  @ApiErrors(400)
  async list(@Query() query: ListConnectionsQuery): Promise<ConnectionPageResponse> {
    const page = await this.connections.list({
      referenceId: query.reference_id,
      provider: query.provider,
      status: query.status,
      freshness: query.freshness,
      limit: query.pageLimit(),
      cursor: query.cursor,
    });
    return toPageResponse(page, toConnectionResponse);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getConnection', summary: 'One connection, by its connection_id or any of its Terra user ids; `refresh=true` asks Terra about its current id first' })
  @ApiConnectionId()
  @ApiOkResponse({ type: ConnectionDetailResponse })
  @ApiErrors(400, 404, 502, 504)
  async get(
    @Param('id', ConnectionIdPipe) id: string,
    @Query() query: GetConnectionQuery,
  ): Promise<ConnectionDetailResponse> {
    return toConnectionDetailResponse(await this.connections.detail(id, query.refresh ?? false));
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'disconnectConnection', summary: "Disconnect: deauthenticate the connection's current Terra id, mark it disconnected, delete the connection's health data (idempotent)" })
  @ApiConnectionId()
  @ApiOkResponse({ type: ConnectionResponse, description: 'The connection as it now is' })
  @ApiErrors(400, 404, 502, 504)
  @HttpCode(200)
  async disconnect(@Param('id', ConnectionIdPipe) id: string): Promise<ConnectionResponse> {
    return toConnectionResponse(await this.connections.disconnect(id));
  }
}
