import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProvidersService } from '@terra-connections/connections';
import { ApiErrors, SERVICE_KEY_SCHEME } from '../common/api-error.response';
import { ApiKeyGuard } from '../common/api-key.guard';
import { ProvidersResponse } from './dto/connection.response';

@ApiTags('providers')
@ApiBearerAuth(SERVICE_KEY_SCHEME)
@Controller('v1/providers')
@UseGuards(ApiKeyGuard)
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  /** Terra's enabled providers; `stale: true` means Terra is down and this is the last good copy. */
  @Get()
  @ApiOperation({ operationId: 'listProviders', summary: "Terra's enabled providers (cached 5 min; served stale when Terra is down)" })
  @ApiOkResponse({ type: ProvidersResponse })
  @ApiErrors(401, 502, 504)
  async list(): Promise<ProvidersResponse> {
    const catalogue = await this.providers.catalogue();
    return {
      data: catalogue.providers.map((p) => ({ provider: p.provider, name: p.name, icon: p.icon, setup: p.setup, types: p.types })),
      fetched_at: catalogue.fetchedAt.toISOString(),
      stale: catalogue.stale,
    };
  }
}
