import { Controller, Get, UseGuards } from '@nestjs/common';
import { ProvidersService } from '@terra-connections/connections';
import { ApiKeyGuard } from '../common/api-key.guard';

@Controller('v1/providers')
@UseGuards(ApiKeyGuard)
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  /** Terra's enabled providers; `stale: true` means Terra is down and this is the last good copy. */
  @Get()
  async list() {
    const catalogue = await this.providers.catalogue();
    return {
      data: catalogue.providers.map((p) => ({ provider: p.provider, name: p.name, icon: p.icon, setup: p.setup, types: p.types })),
      fetched_at: catalogue.fetchedAt.toISOString(),
      stale: catalogue.stale,
    };
  }
}
