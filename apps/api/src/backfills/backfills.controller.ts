import { BadRequestException, Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { BackfillsService } from '@terra-connections/connections';
import { ApiErrors, SERVICE_KEY_SCHEME } from '../common/api-error.response';
import { ApiKeyGuard } from '../common/api-key.guard';
import { JsonBodyGuard } from '../common/json-body.guard';
import { toPageResponse } from '../common/page.response';
import { ConnectionIdPipe } from '../connections/connection-id.pipe';
import { ApiConnectionId } from '../connections/connections.controller';
import { toBackfillResponse } from './dto/backfill.mapper';
import { BackfillPageResponse, BackfillResponse } from './dto/backfill.responses';
import { CreateBackfillDto } from './dto/create-backfill.dto';
import { ListBackfillsQuery } from './dto/list-backfills.query';

@ApiTags('connections')
@ApiBearerAuth(SERVICE_KEY_SCHEME)
@ApiErrors(401)
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class BackfillsController {
  constructor(private readonly backfills: BackfillsService) {}

  @Post('connections/:id/backfills')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'createBackfill',
    summary: "Ask Terra for a connection's past data; the worker sends the requests within the rate budget and tracks them",
  })
  @ApiConnectionId()
  @ApiAcceptedResponse({ type: BackfillResponse, description: 'The backfill (the same one again when this range and these types are already in progress)' })
  @ApiErrors(400, 404, 409, 502, 504)
  @UseGuards(JsonBodyGuard)
  async create(@Param('id', ConnectionIdPipe) id: string, @Body() body: CreateBackfillDto): Promise<BackfillResponse> {
    const backfill = await this.backfills.create(id, { types: body.types, startDate: body.start_date, endDate: body.end_date });
    return toBackfillResponse(backfill);
  }

  @Get('connections/:id/backfills')
  @ApiOperation({ operationId: 'listBackfills', summary: "A connection's backfills, newest first" })
  @ApiConnectionId()
  @ApiOkResponse({ type: BackfillPageResponse })
  @ApiErrors(400, 404)
  async list(@Param('id', ConnectionIdPipe) id: string, @Query() query: ListBackfillsQuery): Promise<BackfillPageResponse> {
    const page = await this.backfills.list(id, { limit: query.pageLimit(), cursor: query.cursor, status: query.status });
    return toPageResponse(page, toBackfillResponse);
  }

  @Get('backfills/:id')
  @ApiOperation({ operationId: 'getBackfill', summary: 'One backfill with its progress per data type' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: BackfillResponse })
  @ApiErrors(400, 404)
  async get(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a backfill id (a UUID)') })) id: string,
  ): Promise<BackfillResponse> {
    return toBackfillResponse(await this.backfills.get(id));
  }
}
