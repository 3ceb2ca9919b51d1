import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ConnectionAttemptsService,
  ConnectionsService,
  type ConnectionPage,
  type ConnectionView,
  type DirectConnectStarted,
  type MobileTokenIssued,
  type WidgetConnectStarted,
} from '@terra-connections/connections';
import { ApiKeyGuard } from '../common/api-key.guard';
import { JsonBodyGuard } from '../common/json-body.guard';
import { ResultPageUrls } from '../pages/result-page-urls';
import { CreateConnectionDto } from './dto/create-connection.dto';
import { GetConnectionQuery } from './dto/get-connection.query';
import { ListConnectionsQuery } from './dto/list-connections.query';
import { MobileTokenDto } from './dto/mobile-token.dto';
import { TerraUserIdPipe } from './terra-user-id.pipe';

@Controller('v1/connections')
@UseGuards(ApiKeyGuard)
export class ConnectionsController {
  constructor(
    private readonly attempts: ConnectionAttemptsService,
    private readonly connections: ConnectionsService,
    private readonly resultPages: ResultPageUrls,
  ) {}

  @Post()
  @UseGuards(JsonBodyGuard)
  create(@Body() body: CreateConnectionDto): Promise<DirectConnectStarted | WidgetConnectStarted> {
    const redirects = {
      successUrl: body.success_url ?? this.resultPages.successUrl(),
      failureUrl: body.failure_url ?? this.resultPages.failureUrl(),
      language: body.language,
    };
    if (body.provider) {
      return this.attempts.startDirect({ referenceId: body.reference_id, provider: body.provider, ...redirects });
    }
    return this.attempts.startWidget({
      referenceId: body.reference_id,
      providers: body.providers,
      multiAuth: body.multi_auth,
      ...redirects,
    });
  }

  @Post('mobile-token')
  @UseGuards(JsonBodyGuard)
  mobileToken(@Body() body: MobileTokenDto): Promise<MobileTokenIssued> {
    return this.attempts.startMobile({ referenceId: body.reference_id });
  }

  @Get()
  list(@Query() query: ListConnectionsQuery): Promise<ConnectionPage> {
    return this.connections.list({
      referenceId: query.reference_id,
      provider: query.provider,
      status: query.status,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Get(':terra_user_id')
  get(
    @Param('terra_user_id', TerraUserIdPipe) terraUserId: string,
    @Query() query: GetConnectionQuery,
  ): Promise<ConnectionView> {
    return query.refresh ? this.connections.refresh(terraUserId) : this.connections.get(terraUserId);
  }

  @Delete(':terra_user_id')
  @HttpCode(200)
  disconnect(@Param('terra_user_id', TerraUserIdPipe) terraUserId: string): Promise<ConnectionView> {
    return this.connections.disconnect(terraUserId);
  }
}
