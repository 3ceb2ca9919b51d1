import { Terra, TerraClient, TerraError } from 'terra-api';
import { startSandbox, TEST_API_KEY, TEST_DEV_ID, waitFor, type SandboxHarness } from '../testing/sandbox-harness';

type SessionBody = { status: string; session_id: string; url: string; expires_in: number; warnings?: string[] };

describe('Terra /auth endpoints through the SDK', () => {
  let sandbox: SandboxHarness;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  describe('credentials', () => {
    it('answers 401 unauthorized when the api key is missing and 403 when dev-id or key is wrong', async () => {
      const noKey = new TerraClient({ baseUrl: `${sandbox.baseUrl}/v2`, devId: TEST_DEV_ID });
      await expect(noKey.authentication.generateauthtoken()).rejects.toMatchObject({
        statusCode: 401,
        body: { status: 'error', message: 'unauthorized' },
      });
      const wrongKey = new TerraClient({ baseUrl: `${sandbox.baseUrl}/v2`, devId: TEST_DEV_ID, apiKey: 'nope' });
      await expect(wrongKey.authentication.generatewidgetsession()).rejects.toMatchObject({ statusCode: 403, body: { status: 'error' } });
      const wrongDev = new TerraClient({ baseUrl: `${sandbox.baseUrl}/v2`, devId: 'someone-else', apiKey: TEST_API_KEY });
      const error = await wrongDev.user.getalluserids().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TerraError);
      expect(error).toMatchObject({ statusCode: 403 });
    });
  });

  describe('POST /auth/generateWidgetSession (legacy)', () => {
    it('creates a session whose url is the hosted widget', async () => {
      const session = await sandbox.terra.authentication.generatewidgetsession({
        providers: 'GARMIN,FITBIT',
        reference_id: 'ref-legacy',
        auth_success_redirect_url: 'https://app.test/ok',
      });
      expect(session).toEqual({ status: 'success', session_id: expect.any(String), url: expect.any(String), expires_in: 900 });
      expect(session.url).toBe(`${sandbox.baseUrl}/widget/session/${session.session_id}`);
      expect((await fetch(session.url as string)).status).toBe(200);
    });

    it('rejects a malformed body with 400 naming the field', async () => {
      const error = await sandbox.terra.authentication
        .generatewidgetsession({ auth_success_redirect_url: 'not a url' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Terra.BadRequestError);
      expect((error as Terra.BadRequestError).body).toEqual({ status: 'error', message: expect.stringContaining('auth_success_redirect_url') });
    });

    it('answers 410 once switched to behave like an account created after 2026-09-03', async () => {
      await sandbox.control('PATCH', '/sandbox/settings', { legacy_widget_gone: true });
      try {
        await expect(sandbox.terra.authentication.generatewidgetsession()).rejects.toMatchObject({ statusCode: 410, body: { status: 'error' } });
      } finally {
        await sandbox.control('PATCH', '/sandbox/settings', { legacy_widget_gone: false });
      }
    });
  });

  describe('POST /api/widget/session (terra-contract.md §2.1b, plain HTTP)', () => {
    const post = (body: unknown, headers: Record<string, string> = { 'dev-id': TEST_DEV_ID, 'x-api-key': TEST_API_KEY }) =>
      fetch(`${sandbox.baseUrl}/api/widget/session`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('answers 201 with a day-long session and warnings for unknown or disabled providers', async () => {
      const response = await post({ providers: 'OURA,NOT_A_PROVIDER,JAWBONE', reference_id: 'ref-new', some_future_field: 1 });
      expect(response.status).toBe(201);
      const body = (await response.json()) as SessionBody;
      expect(body).toMatchObject({ status: 'success', expires_in: 86400, session_id: expect.any(String) });
      expect(body.url).toBe(`${sandbox.baseUrl}/widget/session/${body.session_id}`);
      expect(body.warnings).toHaveLength(2);
      const page = await (await fetch(body.url)).text();
      expect(page).toContain('data-provider="OURA"');
      expect(page).not.toContain('data-provider="GARMIN"');
    });

    it('has no warnings when every provider is fine, and ALL lists every enabled provider', async () => {
      const body = (await (await post({ providers: 'ALL' })).json()) as SessionBody;
      expect(body.warnings).toBeUndefined();
      const page = await (await fetch(body.url)).text();
      expect(page.match(/data-provider="/g)?.length).toBeGreaterThan(140);
    });

    it('rejects unknown connected_uids with invalid_user_ids, and bad credentials with 403', async () => {
      const seeded = await sandbox.control<{ users: { user_id: string }[] }>('POST', '/sandbox/users', { provider: 'GARMIN', webhooks: false });
      const known = seeded.body.users[0].user_id;
      const ok = await post({ connected_uids: [known] });
      expect(ok.status).toBe(201);
      const bad = await post({ connected_uids: [known, 'ghost-1'] });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ status: 'error', message: expect.any(String), invalid_user_ids: ['ghost-1'] });
      expect((await post({}, { 'dev-id': TEST_DEV_ID, 'x-api-key': 'wrong' })).status).toBe(403);
      expect((await post({}, {})).status).toBe(401);
    });
  });

  describe('POST /auth/authenticateUser', () => {
    it('allocates a user id and an auth_url leading to the consent page', async () => {
      const result = await sandbox.terra.authentication.authenticateuser({ resource: 'FITBIT', reference_id: 'ref-auth' });
      expect(result).toEqual({ status: 'success', user_id: expect.stringMatching(/^[0-9a-f-]{36}$/), auth_url: `${sandbox.baseUrl}/widget/auth/${result.user_id}` });
      const page = await (await fetch(result.auth_url as string)).text();
      expect(page).toContain('id="allow-form"');
      expect(page).toContain('Fitbit');
    });

    it('answers 404 for an unknown or disabled resource and 400 without one', async () => {
      await expect(sandbox.terra.authentication.authenticateuser({ resource: 'NOPE' })).rejects.toBeInstanceOf(Terra.NotFoundError);
      await expect(sandbox.terra.authentication.authenticateuser({ resource: 'JAWBONE' })).rejects.toBeInstanceOf(Terra.NotFoundError);
      await expect(sandbox.terra.authentication.authenticateuser({ resource: '' })).rejects.toBeInstanceOf(Terra.BadRequestError);
    });
  });

  describe('DELETE /auth/deauthenticateUser', () => {
    it('answers 200, sends deauth a moment later, and 404 the second time', async () => {
      const seeded = await sandbox.control<{ users: { user_id: string }[] }>('POST', '/sandbox/users', {
        provider: 'OURA',
        reference_id: 'ref-deauth',
        webhooks: false,
      });
      const userId = seeded.body.users[0].user_id;
      await expect(sandbox.terra.authentication.deauthenticateuser({ user_id: userId })).resolves.toEqual({ status: 'success' });
      const deauth = await waitFor(
        () => sandbox.receiver.ofType('deauth').find((hook) => (hook.json.user as { user_id: string }).user_id === userId),
        'the deauth webhook',
      );
      expect(deauth.json).toMatchObject({ status: 'success', user: { user_id: userId, provider: 'OURA', active: false, reference_id: 'ref-deauth' } });
      await expect(sandbox.terra.authentication.deauthenticateuser({ user_id: userId })).rejects.toBeInstanceOf(Terra.NotFoundError);
      await expect(sandbox.terra.user.getinfoforuserid({ user_id: userId })).rejects.toBeInstanceOf(Terra.NotFoundError);
    });
  });

  describe('POST /auth/generateAuthToken', () => {
    it('returns a 64-hex single-use token valid 180 s', async () => {
      const first = await sandbox.terra.authentication.generateauthtoken();
      const second = await sandbox.terra.authentication.generateauthtoken();
      expect(first).toEqual({ status: 'success', token: expect.stringMatching(/^[0-9a-f]{64}$/), expires_in: 180 });
      expect(second.token).not.toBe(first.token);
    });
  });

  describe('fault injection on REST calls', () => {
    it('two injected 503s are absorbed by the SDK retries: three requests recorded, then success', async () => {
      await sandbox.control('POST', '/sandbox/faults/rest', { path: '/v2/auth/generateAuthToken', status: 503, count: 2 });
      const result = await sandbox.terra.authentication.generateauthtoken();
      expect(result.token).toMatch(/^[0-9a-f]{64}$/);
      const { body } = await sandbox.control<{ requests: { status: number; injected: boolean }[] }>('GET', '/sandbox/requests?path=/v2/auth/generateAuthToken&limit=3');
      expect(body.requests.map((r) => r.status)).toEqual([200, 503, 503]);
      expect(body.requests.map((r) => r.injected)).toEqual([false, true, true]);
    });

    it('three injected 429s outlast the SDK retries: it throws with the status', async () => {
      await sandbox.control('POST', '/sandbox/faults/rest', { path: '/v2/subscriptions', method: 'GET', status: 429, count: 3 });
      await expect(sandbox.terra.user.getalluserids()).rejects.toMatchObject({ statusCode: 429 });
      const { body } = await sandbox.control<{ requests: { status: number }[] }>('GET', '/sandbox/requests?path=/v2/subscriptions&limit=3');
      expect(body.requests.map((r) => r.status)).toEqual([429, 429, 429]);
      await expect(sandbox.terra.user.getalluserids()).resolves.toHaveProperty('users');
    });
  });
});
