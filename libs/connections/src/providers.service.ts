import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { TerraGateway, type TerraIntegration } from '@terra-connections/terra';
import { UnknownProviderError } from './connections.errors';

/** Override of the cache lifetime (ms); tests use 0 to force a Terra call every time. */
export const PROVIDERS_CACHE_TTL_MS = Symbol('PROVIDERS_CACHE_TTL_MS');
const DEFAULT_TTL_MS = 5 * 60_000;

export interface ProviderCatalogue {
  providers: TerraIntegration[];
  fetchedAt: Date;
  /** True when Terra failed and an older copy is served. */
  stale: boolean;
}

/**
 * Terra's integrations list, cached a few minutes: it changes when someone edits the Terra dashboard, and
 * every connect request checks against it. Served stale when Terra is down, since an old list is far more
 * useful than a 502; with no copy at all, Terra's error goes to the caller.
 */
@Injectable()
export class ProvidersService {
  private readonly logger = new Logger(ProvidersService.name);
  private cache?: { providers: TerraIntegration[]; fetchedAt: Date };
  private inFlight?: Promise<{ providers: TerraIntegration[]; fetchedAt: Date }>;
  private readonly ttlMs: number;

  constructor(
    private readonly gateway: TerraGateway,
    @Optional() @Inject(PROVIDERS_CACHE_TTL_MS) ttlMs?: number,
  ) {
    this.ttlMs = ttlMs ?? DEFAULT_TTL_MS;
  }

  async catalogue(): Promise<ProviderCatalogue> {
    if (this.cache && Date.now() - this.cache.fetchedAt.getTime() < this.ttlMs) return { ...this.cache, stale: false };
    try {
      return { ...(await this.fetchOnce()), stale: false };
    } catch (error) {
      if (!this.cache) throw error;
      this.logger.warn(`Serving the provider list from ${this.cache.fetchedAt.toISOString()}: ${(error as Error).message}`);
      return { ...this.cache, stale: true };
    }
  }

  /** Throws UnknownProviderError naming every name that is not an enabled provider. Names are upper-case. */
  async assertKnown(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const known = new Set((await this.catalogue()).providers.map((p) => p.provider));
    const unknown = [...new Set(names)].filter((name) => !known.has(name));
    if (unknown.length > 0) throw new UnknownProviderError(unknown);
  }

  /** Concurrent misses share one Terra call. */
  private fetchOnce(): Promise<{ providers: TerraIntegration[]; fetchedAt: Date }> {
    this.inFlight ??= this.gateway
      .listIntegrations()
      .then((providers) => (this.cache = { providers, fetchedAt: new Date() }))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
