import { Logger } from '@nestjs/common';
import { TerraClient } from 'terra-api';
import { FakeTerraServer } from '@terra-connections/testing';
import {
  TerraBadRequestError,
  TerraCredentialsError,
  TerraGoneError,
  TerraNotFoundError,
  TerraRateLimitedError,
  TerraTimeoutError,
  TerraUnavailableError,
} from './terra-api.errors';
import { TerraGateway } from './terra.gateway';
import { TerraWidgetSessionClient } from './terra-widget-session.client';

describe('TerraGateway (real terra-api SDK against a fake Terra)', () => {
  let fake: FakeTerraServer;

  beforeAll(async () => {
    Logger.overrideLogger(false); // the endpoint-switch warning is asserted through behaviour, not output
    fake = await FakeTerraServer.start({ devId: 'dev-1', apiKey: 'key-1' });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  function gateway(
    overrides: Partial<{ mode: 'session' | 'legacy'; retries: number; apiKey: string; apiUrl: string; widgetUrl: string }> = {},
  ) {
    const config = {
      TERRA_API_URL: overrides.apiUrl ?? fake.baseUrl,
      TERRA_WIDGET_URL: overrides.widgetUrl ?? fake.widgetUrl,
      TERRA_DEV_ID: 'dev-1',
      TERRA_API_KEY: overrides.apiKey ?? 'key-1',
      TERRA_TIMEOUT_SECONDS: 1,
      TERRA_MAX_RETRIES: overrides.retries ?? 0,
      TERRA_WIDGET_MODE: overrides.mode ?? 'session',
    } as const;
    const sdk = new TerraClient({ baseUrl: config.TERRA_API_URL, devId: config.TERRA_DEV_ID, apiKey: config.TERRA_API_KEY });
    return new TerraGateway(sdk, new TerraWidgetSessionClient(config), config);
  }

  describe('authenticateUser', () => {
    it('sends the resource, reference id and redirect URLs with our credentials and returns the pre-allocated user id', async () => {
      const result = await gateway().authenticateUser({
        provider: 'FITBIT',
        referenceId: 'person/1 & co',
        successUrl: 'https://app.example/ok',
        failureUrl: 'https://app.example/ko',
        language: 'de',
      });

      expect(result.userId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.authUrl).toContain('fitbit');
      const [request] = fake.requestsTo('authenticateUser');
      expect(request.query).toEqual({ resource: 'FITBIT' });
      expect(request.headers['dev-id']).toBe('dev-1');
      expect(request.headers['x-api-key']).toBe('key-1');
      expect(request.body).toEqual({
        reference_id: 'person/1 & co',
        auth_success_redirect_url: 'https://app.example/ok',
        auth_failure_redirect_url: 'https://app.example/ko',
        language: 'de',
      });
    });

    it('turns an unknown resource into TerraNotFoundError carrying Terra\'s message', async () => {
      const error = await gateway().authenticateUser({ provider: 'NOPE', referenceId: 'p1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TerraNotFoundError);
      expect((error as TerraNotFoundError).terraStatus).toBe(404);
      expect((error as TerraNotFoundError).terraMessage).toContain('NOPE');
    });
  });

  describe('error mapping', () => {
    it.each([
      [400, TerraBadRequestError],
      [401, TerraCredentialsError],
      [403, TerraCredentialsError],
      [410, TerraGoneError],
      [500, TerraUnavailableError],
      [503, TerraUnavailableError],
    ])('maps HTTP %i to %p', async (status, type) => {
      fake.fail('generateAuthToken', { status, body: { status: 'error', message: `terra says ${status}` } });
      const error = await gateway().generateAuthToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as TerraCredentialsError).terraMessage).toBe(`terra says ${status}`);
    });

    it('treats a wrong API key as a credentials error (the fake answers 403 like Terra)', async () => {
      const error = await gateway({ apiKey: 'wrong' }).generateAuthToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TerraCredentialsError);
      expect((error as TerraCredentialsError).terraStatus).toBe(403);
    });

    it('maps a non-JSON error page to TerraUnavailableError', async () => {
      fake.fail('generateAuthToken', { status: 502, body: '<html>bad gateway</html>' });
      await expect(gateway().generateAuthToken()).rejects.toBeInstanceOf(TerraUnavailableError);
    });

    it('maps a 200 whose body is not JSON to TerraUnavailableError', async () => {
      fake.fail('generateAuthToken', { status: 200, body: 'surprise' });
      await expect(gateway().generateAuthToken()).rejects.toBeInstanceOf(TerraUnavailableError);
    });

    it('maps a refused connection to TerraUnavailableError', async () => {
      const closed = await FakeTerraServer.start();
      const deadUrl = closed.baseUrl;
      await closed.close();
      await expect(gateway({ apiUrl: deadUrl }).generateAuthToken()).rejects.toBeInstanceOf(TerraUnavailableError);
    });

    it('gives up after TERRA_TIMEOUT_SECONDS with TerraTimeoutError', async () => {
      fake.fail('generateAuthToken', { status: 200, body: { token: 'late' }, delayMs: 1_500 });
      await expect(gateway().generateAuthToken()).rejects.toBeInstanceOf(TerraTimeoutError);
    });

    it('lets the SDK retry a 503 when TERRA_MAX_RETRIES allows it', async () => {
      fake.fail('generateAuthToken', { status: 503, times: 1, headers: { 'retry-after': '1' } });
      const token = await gateway({ retries: 1 }).generateAuthToken();
      expect(token.token).toMatch(/^[0-9a-f]{64}$/);
      expect(fake.requestsTo('generateAuthToken')).toHaveLength(2);
    });
  });

  describe('createWidgetSession', () => {
    it('calls the new endpoint with the new parameters and our headers', async () => {
      const connected = fake.addUser({ provider: 'OURA', reference_id: 'p1' });
      const before = Date.now();
      const session = await gateway().createWidgetSession({
        referenceId: 'p1',
        providers: ['FITBIT', 'GARMIN', 'MYSTERY'],
        successUrl: 'https://app.example/ok',
        connectedUids: [connected.user_id],
        multiAuth: true,
      });

      expect(session.endpoint).toBe('session');
      expect(session.expiresIn).toBe(86_400);
      expect(session.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 86_400_000);
      expect(session.warnings).toEqual(['Provider MYSTERY is unknown or not enabled']);
      const [request] = fake.requestsTo('widgetSession');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-api-key']).toBe('key-1');
      expect(request.body).toEqual({
        providers: 'FITBIT,GARMIN,MYSTERY',
        reference_id: 'p1',
        auth_success_redirect_url: 'https://app.example/ok',
        connected_uids: [connected.user_id],
        multi_auth: true,
      });
      expect(fake.requestsTo('legacyWidgetSession')).toHaveLength(0);
    });

    it('falls back to the legacy SDK call on a 410 and stays there', async () => {
      fake.fail('widgetSession', { status: 410 });
      const gw = gateway();

      const first = await gw.createWidgetSession({ referenceId: 'p1', providers: ['FITBIT'] });
      const second = await gw.createWidgetSession({ referenceId: 'p2' });

      expect([first.endpoint, second.endpoint]).toEqual(['legacy', 'legacy']);
      expect(first.expiresIn).toBe(900);
      expect(fake.requestsTo('widgetSession')).toHaveLength(1);
      expect(fake.requestsTo('legacyWidgetSession').map((r) => r.body)).toEqual([
        { providers: 'FITBIT', reference_id: 'p1' },
        { reference_id: 'p2' },
      ]);
      expect(gw.currentWidgetEndpoint).toBe('legacy');
    });

    it('in legacy mode, moves to the new endpoint on a 410 and stays there', async () => {
      fake.fail('legacyWidgetSession', { status: 410 });
      const gw = gateway({ mode: 'legacy' });

      const first = await gw.createWidgetSession({ referenceId: 'p1' });
      const second = await gw.createWidgetSession({ referenceId: 'p1' });

      expect([first.endpoint, second.endpoint]).toEqual(['session', 'session']);
      expect(fake.requestsTo('legacyWidgetSession')).toHaveLength(1);
      expect(fake.requestsTo('widgetSession')).toHaveLength(2);
    });

    it('does not switch endpoints on other errors', async () => {
      fake.fail('widgetSession', { status: 403, times: 1 });
      const gw = gateway();
      await expect(gw.createWidgetSession({ referenceId: 'p1' })).rejects.toBeInstanceOf(TerraCredentialsError);
      expect(gw.currentWidgetEndpoint).toBe('session');
      expect(fake.requestsTo('legacyWidgetSession')).toHaveLength(0);
    });

    it('drops connected ids Terra no longer knows and asks again', async () => {
      const known = fake.addUser({ provider: 'OURA', reference_id: 'p1' });
      const session = await gateway().createWidgetSession({ referenceId: 'p1', connectedUids: [known.user_id, 'gone-id'] });
      expect(session.sessionId).toBeTruthy();
      expect(fake.requestsTo('widgetSession').map((r) => (r.body as { connected_uids?: string[] }).connected_uids)).toEqual([
        [known.user_id, 'gone-id'],
        [known.user_id],
      ]);
    });

    it('times out on the new endpoint too', async () => {
      fake.fail('widgetSession', { delayMs: 1_500 });
      await expect(gateway().createWidgetSession({ referenceId: 'p1' })).rejects.toBeInstanceOf(TerraTimeoutError);
    });
  });

  describe('users', () => {
    it('getUser returns the user, or null when Terra does not know it', async () => {
      const user = fake.addUser({ provider: 'GARMIN', reference_id: 'p1', scopes: 'activity,sleep' });
      await expect(gateway().getUser(user.user_id)).resolves.toMatchObject({ user_id: user.user_id, scopes: 'activity,sleep' });
      await expect(gateway().getUser('unknown')).resolves.toBeNull();
    });

    it.each(['object', 'array', 'not_found_when_empty'] as const)('getUsersByReference reads the %s shape', async (shape) => {
      fake.referenceLookupShape = shape;
      const a = fake.addUser({ provider: 'GARMIN', reference_id: 'person #1' });
      const b = fake.addUser({ provider: 'OURA', reference_id: 'person #1' });
      fake.addUser({ provider: 'OURA', reference_id: 'someone else' });

      const users = await gateway().getUsersByReference('person #1');
      expect(users.map((u) => u.user_id).sort()).toEqual([a.user_id, b.user_id].sort());
      await expect(gateway().getUsersByReference('nobody')).resolves.toEqual([]);
    });

    it('listAllUsers walks every page of /subscriptions', async () => {
      for (let i = 0; i < 1_100; i++) fake.addUser({ provider: 'FITBIT', reference_id: `p${i}` });
      const users = await gateway().listAllUsers();
      expect(new Set(users.map((u) => u.user_id)).size).toBe(1_100);
      expect(fake.requestsTo('subscriptions').map((r) => r.query.page)).toEqual(['0', '1', '2']);
    });

    it('listAllUsers accepts the unpaged {users} shape', async () => {
      fake.subscriptionsShape = 'unpaged';
      fake.addUser({ provider: 'FITBIT' });
      fake.addUser({ provider: 'OURA' });
      await expect(gateway().listAllUsers()).resolves.toHaveLength(2);
      expect(fake.requestsTo('subscriptions')).toHaveLength(1);
    });

    it('deauthenticateUser reports an unknown user as not_found instead of failing', async () => {
      const user = fake.addUser({ provider: 'GARMIN' });
      await expect(gateway().deauthenticateUser(user.user_id)).resolves.toBe('deauthenticated');
      await expect(gateway().deauthenticateUser(user.user_id)).resolves.toBe('not_found');
    });
  });

  it('listIntegrations returns the enabled providers, mobile-SDK ones included', async () => {
    const providers = await gateway().listIntegrations();
    const names = providers.map((p) => p.provider);
    expect(names).toEqual(expect.arrayContaining(['FITBIT', 'GARMIN', 'APPLE']));
    expect(names).not.toContain('DEXCOM');
    expect(fake.requestsTo('integrationsDetailed')[0].query).toEqual({ sdk: 'true' });
  });

  describe('requestData (backfills)', () => {
    const request = { userId: 'u-1', type: 'daily', startDate: '2026-11-01', endDate: '2026-11-30' } as const;

    it('asks with to_webhook=true and the range, and returns the reference and Terra\'s budget headers', async () => {
      const answer = await gateway({ retries: 2 }).requestData(request);
      expect(answer).toEqual({ kind: 'sent', reference: expect.any(String), budget: { limit: 6000, remaining: 5970, resetAfterSeconds: 3600 } });
      expect(fake.requestsTo('dailyData')[0].query).toEqual({ user_id: 'u-1', start_date: '2026-11-01', end_date: '2026-11-30', to_webhook: 'true' });
    });

    it('reads processing, large and no-data answers', async () => {
      fake.fail('dailyData', { status: 200, body: { type: 'processing', status: 'success', message: 'busy', retry_after_seconds: 30, user: {} }, times: 1 });
      expect(await gateway().requestData(request)).toMatchObject({ kind: 'processing', retryAfterSeconds: 30 });
      fake.fail('dailyData', { status: 200, body: { type: 'large_request_processing', status: 'processing', reference: 'ref-9', user: {} }, times: 1 });
      expect(await gateway().requestData(request)).toMatchObject({ kind: 'large', reference: 'ref-9' });
      fake.fail('dailyData', { status: 200, body: { status: 'error', message: 'NoDataReturned', user: {} }, times: 1 });
      expect(await gateway().requestData(request)).toMatchObject({ kind: 'no_data', message: 'NoDataReturned' });
    });

    it('maps a 429 to TerraRateLimitedError with Retry-After and the rule, at once: the SDK does not retry it', async () => {
      fake.fail('dailyData', { status: 429, body: { status: 'error', message: 'rate limited' }, headers: { 'retry-after': '42', 'x-terra-ratelimit-rule': 'r2' } });
      const error = await gateway({ retries: 2 }).requestData(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TerraRateLimitedError);
      expect(error).toMatchObject({ retryAfterSeconds: 42, rule: 'r2', terraStatus: 429 });
      expect(fake.requestsTo('dailyData')).toHaveLength(1);
    });
  });
});
