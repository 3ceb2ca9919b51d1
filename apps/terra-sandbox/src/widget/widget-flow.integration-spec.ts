import { Terra, verifyTerraWebhookSignature } from 'terra-api';
import type { ReceivedWebhook } from '../testing/webhook-receiver';
import { formAction, startSandbox, submitForm, TEST_API_KEY, TEST_DEV_ID, TEST_WEBHOOK_SECRET, waitFor, type SandboxHarness } from '../testing/sandbox-harness';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('hosted widget and consent flow over plain HTTP', () => {
  let sandbox: SandboxHarness;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const html = async (url: string) => {
    const response = await fetch(new URL(url, sandbox.baseUrl));
    return { status: response.status, text: await response.text() };
  };
  const consentFor = async (widgetUrl: string, provider: string) => {
    const list = await html(widgetUrl);
    const link = new RegExp(`id="provider-${provider}"[^>]*href="([^"]+)"`).exec(list.text);
    if (!link) throw new Error(`${provider} is not listed`);
    return (await html(link[1])).text;
  };
  const webhookFor = (type: string, match: (hook: ReceivedWebhook) => boolean) =>
    waitFor(() => sandbox.receiver.ofType(type).find(match), `a ${type} webhook`);
  const verified = async (hook: ReceivedWebhook) => {
    await verifyTerraWebhookSignature(hook.body, hook.headers['x-terra-signature'] as string, TEST_WEBHOOK_SECRET);
    await verifyTerraWebhookSignature(hook.body, hook.headers['terra-signature'] as string, TEST_WEBHOOK_SECRET);
    return hook.json;
  };
  const userIdOf = (hook: ReceivedWebhook) => (hook.json.user as { user_id: string }).user_id;

  it('lists the allowed providers with names and a search box', async () => {
    const session = await sandbox.terra.authentication.generatewidgetsession({ providers: 'GARMIN,OURA,APPLE' });
    const page = await html(session.url as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="provider-search"');
    expect(page.text).toContain('data-testid="provider-search"');
    expect(page.text.match(/<li data-provider="/g)).toHaveLength(3);
    expect(page.text).toContain('data-name="Oura"');
    const all = await html((await sandbox.terra.authentication.generatewidgetsession()).url as string);
    expect(all.text.match(/<li data-provider="/g)?.length).toBeGreaterThanOrEqual(150);
  });

  it('Allow: new user id, redirect to the success URL with Terra parameters (query kept), signed auth webhook with widget_session_id', async () => {
    const session = await sandbox.terra.authentication.generatewidgetsession({
      providers: 'GARMIN,FITBIT',
      reference_id: 'person-42',
      auth_success_redirect_url: 'https://app.test/done?from=widget',
      auth_failure_redirect_url: 'https://app.test/failed',
    });
    const consent = await consentFor(session.url as string, 'GARMIN');
    expect(consent).toContain('id="deny-form"');
    const response = await submitForm(sandbox.baseUrl, formAction(consent, 'allow-form'));
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.test/done');
    expect(location.searchParams.get('from')).toBe('widget');
    expect(location.searchParams.get('resource')).toBe('GARMIN');
    expect(location.searchParams.get('reference_id')).toBe('person-42');
    const userId = location.searchParams.get('user_id') as string;
    expect(userId).toMatch(UUID_V4);

    const auth = await verified(await webhookFor('auth', (hook) => userIdOf(hook) === userId));
    expect(auth).toMatchObject({
      status: 'success',
      widget_session_id: session.session_id,
      reference_id: 'person-42',
      user: { user_id: userId, provider: 'GARMIN', reference_id: 'person-42', active: true },
    });
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: userId })).resolves.toMatchObject({ is_authenticated: true });
  });

  it('Deny: redirect to the failure URL and an auth error webhook; no user is left', async () => {
    const session = await sandbox.terra.authentication.generatewidgetsession({
      reference_id: 'person-43',
      auth_success_redirect_url: 'https://app.test/done',
      auth_failure_redirect_url: 'https://app.test/failed?x=1',
    });
    const consent = await consentFor(session.url as string, 'FITBIT');
    const response = await submitForm(sandbox.baseUrl, formAction(consent, 'deny-form'), { reason: 'access_denied' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(location.pathname).toBe('/failed');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('resource')).toBe('FITBIT');
    const provisional = location.searchParams.get('user_id') as string;
    const error = await verified(await webhookFor('auth', (hook) => userIdOf(hook) === provisional));
    expect(error).toMatchObject({ status: 'error', reason: 'access_denied', provider: 'FITBIT', reference_id: 'person-43', widget_session_id: session.session_id });
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: provisional })).rejects.toBeInstanceOf(Terra.NotFoundError);
  });

  it('without reference id or redirect URL: literal null and the sandbox result page', async () => {
    const session = await sandbox.terra.authentication.generatewidgetsession({ providers: 'WHOOP' });
    const response = await submitForm(sandbox.baseUrl, formAction(await consentFor(session.url as string, 'WHOOP'), 'allow-form'));
    const location = new URL(response.headers.get('location') as string);
    expect(location.searchParams.get('reference_id')).toBe('null');
    expect(location.pathname).toBe('/widget/result/success');
    const result = await html(location.toString());
    expect(result.text).toContain('WHOOP connected');
  });

  it('picking an SDK-only source redirects with user_id=null and sends no webhook', async () => {
    const session = await sandbox.terra.authentication.generatewidgetsession({ providers: 'APPLE', reference_id: 'p-sdk', auth_success_redirect_url: 'myapp://done' });
    const list = await html(session.url as string);
    const href = /id="provider-APPLE"[^>]*href="([^"]+)"/.exec(list.text)?.[1] as string;
    const response = await fetch(new URL(href, sandbox.baseUrl), { redirect: 'manual' });
    expect(response.headers.get('location')).toBe('myapp://done?user_id=null&resource=APPLE&reference_id=p-sdk');
    const { body } = await sandbox.control<{ deliveries: { payload: { reference_id?: string } }[] }>('GET', '/sandbox/deliveries?include_payload=true&limit=10000');
    expect(body.deliveries.some((d) => d.payload.reference_id === 'p-sdk')).toBe(false);
  });

  it('a session with connected_uids shows them with a disconnect button that deauthenticates', async () => {
    const seeded = await sandbox.control<{ users: { user_id: string }[] }>('POST', '/sandbox/users', { provider: 'OURA', reference_id: 'p-uids', webhooks: false });
    const userId = seeded.body.users[0].user_id;
    const created = await fetch(`${sandbox.baseUrl}/api/widget/session`, {
      method: 'POST',
      headers: { 'dev-id': TEST_DEV_ID, 'x-api-key': TEST_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ reference_id: 'p-uids', connected_uids: [userId], show_disconnect: true }),
    });
    const { url } = (await created.json()) as { url: string };
    const page = await html(url);
    expect(page.text).toContain(`data-testid="connected-${userId}"`);
    const action = new RegExp(`<form method="post" action="([^"]+)"><button type="submit" data-testid="disconnect-${userId}"`).exec(page.text)?.[1] as string;
    const response = await submitForm(sandbox.baseUrl, action);
    expect(response.status).toBe(303);
    await webhookFor('deauth', (hook) => userIdOf(hook) === userId);
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: userId })).rejects.toBeInstanceOf(Terra.NotFoundError);
  });

  it('reconnecting the same provider account under the same reference_id replaces the user: user_reauth + auth', async () => {
    const connect = async () => {
      const session = await sandbox.terra.authentication.generatewidgetsession({ providers: 'POLAR', reference_id: 'person-reauth' });
      const response = await submitForm(sandbox.baseUrl, formAction(await consentFor(session.url as string, 'POLAR'), 'allow-form'), { account: 'polar-account-1' });
      return new URL(response.headers.get('location') as string).searchParams.get('user_id') as string;
    };
    const oldId = await connect();
    const newId = await connect();
    expect(newId).not.toBe(oldId);
    const reauth = await verified(await webhookFor('user_reauth', (hook) => (hook.json.new_user as { user_id: string }).user_id === newId));
    expect(reauth).toMatchObject({ status: 'warning', old_user: { user_id: oldId }, new_user: { user_id: newId, reference_id: 'person-reauth' } });
    await webhookFor('auth', (hook) => userIdOf(hook) === newId);
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: oldId })).rejects.toBeInstanceOf(Terra.NotFoundError);
    const byRef = (await sandbox.terra.user.getinfoforuserid({ reference_id: 'person-reauth' })) as unknown as { users: Terra.TerraUser[] };
    expect(byRef.users.map((u) => u.user_id)).toEqual([newId]);
  });

  it('authenticateUser: Allow keeps the pre-allocated id; Deny deletes it with an auth error', async () => {
    const allowed = await sandbox.terra.authentication.authenticateuser({ resource: 'SUUNTO', reference_id: 'p-au', auth_success_redirect_url: 'https://app.test/ok' });
    const allow = await submitForm(sandbox.baseUrl, formAction((await html(allowed.auth_url as string)).text, 'allow-form'));
    const location = new URL(allow.headers.get('location') as string);
    expect(location.searchParams.get('user_id')).toBe(allowed.user_id);
    const auth = await verified(await webhookFor('auth', (hook) => userIdOf(hook) === allowed.user_id));
    expect(auth).toMatchObject({ status: 'success', widget_session_id: null, user: { provider: 'SUUNTO', reference_id: 'p-au' } });
    expect((await html(allowed.auth_url as string)).status).toBe(404); // used up

    const denied = await sandbox.terra.authentication.authenticateuser({ resource: 'COROS', auth_failure_redirect_url: 'https://app.test/no' });
    const deny = await submitForm(sandbox.baseUrl, formAction((await html(denied.auth_url as string)).text, 'deny-form'));
    expect(deny.headers.get('location')).toBe(`https://app.test/no?user_id=${denied.user_id}&resource=COROS&reference_id=null`);
    await webhookFor('auth', (hook) => userIdOf(hook) === denied.user_id && hook.json.status === 'error');
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: denied.user_id as string })).rejects.toBeInstanceOf(Terra.NotFoundError);
  });

  it('mobile SDK: a token is redeemed once, sends auth with widget_session_id null; same (reference, provider) again -> user_reauth', async () => {
    const { token } = await sandbox.terra.authentication.generateauthtoken();
    const first = await sandbox.control<{ user: { user_id: string } }>('POST', '/sandbox/mobile/connect', { token, provider: 'APPLE', reference_id: 'p-mobile' });
    expect(first.status).toBe(201);
    const firstId = first.body.user.user_id;
    const auth = await verified(await webhookFor('auth', (hook) => userIdOf(hook) === firstId));
    expect(auth).toMatchObject({ status: 'success', widget_session_id: null, user: { provider: 'APPLE', reference_id: 'p-mobile' } });
    const reuse = await sandbox.control('POST', '/sandbox/mobile/connect', { token, provider: 'APPLE', reference_id: 'p-mobile' });
    expect(reuse.status).toBe(409);
    expect((await sandbox.control('POST', '/sandbox/mobile/connect', { token: 'f'.repeat(64), provider: 'APPLE' })).status).toBe(404);

    const second = await sandbox.control<{ user: { user_id: string }; replaced_user_id: string }>('POST', '/sandbox/mobile/connect', {
      token: (await sandbox.terra.authentication.generateauthtoken()).token,
      provider: 'APPLE',
      reference_id: 'p-mobile',
    });
    expect(second.body.replaced_user_id).toBe(firstId);
    await webhookFor('user_reauth', (hook) => (hook.json.old_user as { user_id: string }).user_id === firstId);
  });

  // Moves the expiry clock: keep these last.
  it('expired tokens and sessions: 4xx for the token, 410 page and no webhook for the session', async () => {
    const { token } = await sandbox.terra.authentication.generateauthtoken();
    const session = await sandbox.terra.authentication.generatewidgetsession({ providers: 'WAHOO', reference_id: 'p-expired' });
    const consent = await consentFor(session.url as string, 'WAHOO');
    await sandbox.control('POST', '/sandbox/clock/advance', { seconds: 901 });
    const late = await sandbox.control('POST', '/sandbox/mobile/connect', { token, provider: 'SAMSUNG', reference_id: 'p-late' });
    expect(late.status).toBe(410);
    const page = await html(session.url as string);
    expect(page.status).toBe(410);
    expect(page.text).toContain('expired');
    const before = sandbox.receiver.received.length;
    const allow = await submitForm(sandbox.baseUrl, formAction(consent, 'allow-form'));
    expect(allow.status).toBe(410);
    const deliveries = await sandbox.control<{ deliveries: { payload: { reference_id?: string } }[] }>('GET', '/sandbox/deliveries?type=auth&include_payload=true&limit=1000');
    expect(deliveries.body.deliveries.some((d) => d.payload.reference_id === 'p-expired')).toBe(false);
    expect(sandbox.receiver.received.length).toBe(before);
  });
});
