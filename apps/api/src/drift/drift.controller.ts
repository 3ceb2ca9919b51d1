import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DriftQuery } from '@terra-connections/connections';
import { ADMIN_KEY_SCHEME, ApiErrors } from '../common/api-error.response';
import { AdminOnly, ApiKeyGuard } from '../common/api-key.guard';
import { toPageResponse } from '../common/page.response';
import { DriftQueryDto } from './dto/drift.query.dto';
import { DriftPageResponse, toDriftResponse } from './dto/drift.responses';

/** What reconciliation corrected: the webhooks we missed, one row each. Admin keys only (ADMIN_API_KEYS). */
@ApiTags('admin')
@ApiBearerAuth(ADMIN_KEY_SCHEME)
@ApiErrors(401)
@Controller('v1/admin/drift')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class DriftController {
  constructor(private readonly drift: DriftQuery) {}

  @Get()
  @ApiOperation({ operationId: 'listDrift', summary: 'Admin: the corrections reconciliation made (missed webhooks), oldest first' })
  @ApiOkResponse({ type: DriftPageResponse })
  @ApiErrors(400)
  async list(@Query() query: DriftQueryDto): Promise<DriftPageResponse> {
    const page = await this.drift.page(
      { since: query.since === undefined ? undefined : new Date(query.since), kind: query.kind },
      { limit: query.pageLimit(), cursor: query.cursor },
    );
    return toPageResponse(page, toDriftResponse);
  }
}
