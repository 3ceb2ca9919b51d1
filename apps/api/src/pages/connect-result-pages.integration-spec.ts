import {
  createTestDatabase,
  FakeTerraServer,
  type TestDatabase,
} from '@terra-connections/testing';
import { startApiAgainstFakeTerra, type ApiUnderTest } from '../connections/connections-api.harness';

/** The /connect/success and /connect/failure pages used as redirect targets when callers give none. */
describe('connect result pages (real API)', () => {
  let db: TestDatabase;
  let fake: FakeTerraServer;
  const apps: ApiUnderTest[] = [];

  async function boot(overrides: Record<string, string> = {}): Promise<ApiUnderTest> {
    const api = await startApiAgainstFakeTerra(db, fake, overrides);
    apps.push(api);
    return api;
  }

  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase('api_pages'), FakeTerraServer.start()]);
  });
  afterAll(async () => {
    for (const api of apps) await api.close();
    await fake?.close();
    await db?.drop();
  });
  beforeEach(() => fake.reset());

  it('points Terra at this API\'s own pages when the caller gives no redirect URLs', async () => {
    const api = await boot();
    await api.request('POST', '/v1/connections', { json: { reference_id: 'user_123', provider: 'FITBIT' } });
    await api.request('POST', '/v1/connections', { json: { reference_id: 'user_123' } });

    const requests = [...fake.requestsTo('authenticateUser'), ...fake.requestsTo('widgetSession')];
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.body).toMatchObject({
        auth_success_redirect_url: `${api.url}/connect/success`,
        auth_failure_redirect_url: `${api.url}/connect/failure`,
      });
    }
  });

  it('uses PUBLIC_URL for the pages when it is set', async () => {
    const api = await boot({ PUBLIC_URL: 'https://connect.example.com/' });
    await api.request('POST', '/v1/connections', { json: { reference_id: 'user_123' } });
    expect(fake.requestsTo('widgetSession')[0].body).toMatchObject({
      auth_success_redirect_url: 'https://connect.example.com/connect/success',
      auth_failure_redirect_url: 'https://connect.example.com/connect/failure',
    });
  });

  describe('rendering', () => {
    let api: ApiUnderTest;
    beforeAll(async () => {
      api = await boot();
    });

    async function page(path: string) {
      const res = await fetch(`${api.url}${path}`); // no Authorization: browsers land here
      return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), html: await res.text() };
    }

    it('renders the success page from Terra\'s query parameters', async () => {
      const res = await page('/connect/success?user_id=bc205b50-1&resource=FITBIT&reference_id=user_123');
      expect(res.status).toBe(200);
      expect(res.type).toContain('text/html');
      expect(res.csp).toContain("default-src 'none'");
      expect(res.html).toContain('FITBIT connected for user_123. You can close this tab.');
    });

    it('leaves out a reference id Terra sends as the literal "null"', async () => {
      const res = await page('/connect/success?user_id=bc205b50-1&resource=GOOGLE&reference_id=null');
      expect(res.html).toContain('GOOGLE connected. You can close this tab.');
    });

    it('sends mobile-SDK sources (user_id=null) back to the app', async () => {
      const res = await page('/connect/success?user_id=null&resource=APPLE&reference_id=user_123');
      expect(res.html).toContain('APPLE connects through the mobile app');
    });

    it('renders the failure page with the reason', async () => {
      const res = await page('/connect/failure?user_id=null&resource=OURA&reference_id=user_123&reason=access%20denied');
      expect(res.status).toBe(200);
      expect(res.html).toContain('Connecting OURA failed: access denied. You can close this tab and try again.');
    });

    it('renders the failure page without a reason', async () => {
      const res = await page('/connect/failure');
      expect(res.html).toContain('The connection failed: the connection was not completed.');
    });

    it('escapes HTML in every parameter', async () => {
      const evil = encodeURIComponent('<script>alert("x")</script>');
      const success = await page(`/connect/success?user_id=1&resource=${evil}&reference_id=${evil}`);
      const failure = await page(`/connect/failure?resource=${evil}&reason=${evil}`);
      for (const { html } of [success, failure]) {
        expect(html).not.toContain('<script>');
        expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      }
    });
  });
});
