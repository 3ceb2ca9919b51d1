import { Logger } from '@nestjs/common';
import { TerraClient } from 'terra-api';
import { TerraGateway, TerraUnavailableError, TerraWidgetSessionClient } from '@terra-connections/terra';
import { FakeTerraServer } from '@terra-connections/testing';
import { UnknownProviderError } from './connections.errors';
import { ProvidersService } from './providers.service';

describe('ProvidersService (real SDK against a fake Terra)', () => {
  let fake: FakeTerraServer;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeTerraServer.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  function service(ttlMs?: number): ProvidersService {
    const config = {
      TERRA_WIDGET_URL: fake.widgetUrl,
      TERRA_DEV_ID: 'd',
      TERRA_API_KEY: 'k',
      TERRA_TIMEOUT_SECONDS: 1,
      TERRA_MAX_RETRIES: 0,
      TERRA_WIDGET_MODE: 'session',
    } as const;
    const sdk = new TerraClient({ baseUrl: fake.baseUrl, devId: 'd', apiKey: 'k' });
    return new ProvidersService(new TerraGateway(sdk, new TerraWidgetSessionClient(config), config), ttlMs);
  }

  it('asks Terra once within the TTL, even for concurrent callers', async () => {
    const providers = service();
    const results = await Promise.all([providers.catalogue(), providers.catalogue(), providers.assertKnown(['FITBIT'])]);
    await providers.catalogue();
    expect(results[0].providers.map((p) => p.provider)).toContain('FITBIT');
    expect(fake.requestsTo('integrationsDetailed')).toHaveLength(1);
  });

  it('asks Terra again once the copy is older than the TTL', async () => {
    const providers = service(0);
    await providers.catalogue();
    await providers.catalogue();
    expect(fake.requestsTo('integrationsDetailed')).toHaveLength(2);
  });

  it('serves the last good copy, marked stale, while Terra is down', async () => {
    const providers = service(0);
    const fresh = await providers.catalogue();
    fake.fail('integrationsDetailed', { status: 503 });

    const stale = await providers.catalogue();

    expect(stale.stale).toBe(true);
    expect(stale.providers).toEqual(fresh.providers);
    expect(stale.fetchedAt).toEqual(fresh.fetchedAt);
    await expect(providers.assertKnown(['OURA'])).resolves.toBeUndefined();
  });

  it('surfaces Terra\'s error when there is no copy at all', async () => {
    fake.fail('integrationsDetailed', { status: 503 });
    await expect(service().catalogue()).rejects.toBeInstanceOf(TerraUnavailableError);
  });

  it('names every unknown or disabled provider', async () => {
    const error = await service()
      .assertKnown(['FITBIT', 'NOPE', 'DEXCOM'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownProviderError);
    expect((error as UnknownProviderError).providers).toEqual(['NOPE', 'DEXCOM']);
    expect((error as Error).message).toContain('NOPE, DEXCOM');
  });
});
