import { Controller, Get, Headers, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';
import { parseTerraInput } from '../common/parse-input';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { PROVIDERS, type ProviderInfo } from './provider-catalogue';

const detailedQuery = z.object({ sdk: z.enum(['true', 'false'], { message: 'sdk must be true or false' }).optional() });

/**
 * Terra's public catalogue (terra-contract.md §2.9): no credentials needed; with this sandbox's dev-id only the
 * providers enabled for it come back, without one every provider.
 */
@Controller('v2/integrations')
export class IntegrationsController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly settings: SandboxSettings,
  ) {}

  @Get()
  list(@Headers('dev-id') devId?: string): Record<string, unknown> {
    const visible = this.visible(devId);
    return {
      status: 'success',
      providers: visible.filter((p) => !p.sdk).map((p) => p.provider),
      sdk_resource: visible.filter((p) => p.sdk).map((p) => p.provider),
    };
  }

  @Get('detailed')
  detailed(@Query() query: unknown, @Headers('dev-id') devId?: string): Record<string, unknown> {
    const { sdk } = parseTerraInput(detailedQuery, query);
    const base = this.settings.publicUrl();
    const providers = this.visible(devId)
      .filter((p) => sdk === 'true' || !p.sdk)
      .map((p) => ({
        provider: p.provider,
        name: p.name,
        icon: `${base}/widget/icons/${p.provider}.svg`,
        setup: p.sdk ? 'sdk' : 'oauth',
        enabled: p.enabled,
        types: p.types,
      }));
    return { status: 'success', providers };
  }

  private visible(devId: string | undefined): readonly ProviderInfo[] {
    return devId === this.config.SANDBOX_DEV_ID ? PROVIDERS.enabled() : PROVIDERS.all;
  }
}
