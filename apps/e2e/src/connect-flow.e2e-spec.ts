import { randomBytes } from 'node:crypto';
import { waitFor } from '@terra-connections/testing';
import type { ConnectionView, DirectStarted, WidgetStarted } from './support/api-client';
import { E2eStack } from './support/e2e-stack';
import { httpBrowser } from './support/http-browser';
import type { DeliveryView, SandboxUserView } from './support/sandbox-control';

/**
 * The product as deployed: the Terra sandbox, the API and two workers as separate processes from dist/. Every
 * step goes through the API (as an internal service would) or through the sandbox (as the person, their
 * provider or Terra would); the outcome is read back through the API.
 */
describe('connect, disconnect and Terra events across processes', () => {
  const stack = new E2eStack({ suite: 'e2e_connect_flow', workers: 2 });
  const person = `person-${randomBytes(4).toString('hex')}`;
  let fitbit: string;
  let oura: string;

  beforeAll(() => stack.start(), 60_000);
  afterAll(() => stack.stop(), 60_000);

  const connectionOf = (terraUserId: string, describe: string, accept: (c: ConnectionView) => boolean) =>
    waitFor(
      async () => {
        const connection = await stack.api.connection(terraUserId);
        return connection && accept(connection) ? connection : undefined;
      },
      { timeoutMs: 15_000, describe: `${describe} (${terraUserId})` },
    );

  /** The person opens the widget URL, picks `provider` and allows access, as a browser does. */
  const consentInWidget = async (widgetUrl: string, provider: string, account?: string) => {
    const list = await httpBrowser.open(widgetUrl);
    expect(list.status).toBe(200);
    const consent = await httpBrowser.followLink(list, `provider-${provider}`);
    expect(consent.status).toBe(200);
    return httpBrowser.submitForm(consent, 'allow-form', account ? { account } : {});
  };

  const attemptsOf = (referenceId: string) =>
    stack.db.dataSource.query(
      `SELECT kind, status, session_id, terra_user_id, reason FROM connection_attempts WHERE reference_id = $1 ORDER BY created_at`,
      [referenceId],
    );

  it('widget: the person allows FITBIT, lands on our result page, and the connection is active for the reference id', async () => {
    const started = await stack.api.startConnection<WidgetStarted>({ reference_id: person });
    expect(started).toMatchObject({ type: 'widget', reference_id: person });
    expect(started.url.startsWith(`${stack.sandboxUrl}/widget/session/`)).toBe(true);

    const outcome = await consentInWidget(started.url, 'FITBIT');
    expect(outcome.status).toBe(303);
    expect(`${outcome.location.origin}${outcome.location.pathname}`).toBe(`${stack.apiUrl}/connect/success`);
    expect(outcome.location.searchParams.get('resource')).toBe('FITBIT');
    expect(outcome.location.searchParams.get('reference_id')).toBe(person);
    fitbit = outcome.location.searchParams.get('user_id') as string;
    expect(outcome.landing.status).toBe(200);
    expect(outcome.landing.html).toContain(`FITBIT connected for ${person}`);

    const [connection] = await waitFor(
      async () => {
        const list = await stack.api.connectionsOf(person);
        return list.length === 1 && list[0].status === 'active' ? list : undefined;
      },
      { timeoutMs: 15_000, describe: `an active connection for ${person}` },
    );
    expect(connection).toMatchObject({ terra_user_id: fitbit, reference_id: person, provider: 'FITBIT', status: 'active' });
    expect(connection.connected_at).not.toBeNull();
    expect(await attemptsOf(person)).toEqual([
      expect.objectContaining({ kind: 'widget', status: 'succeeded', session_id: started.session_id, terra_user_id: fitbit }),
    ]);
  });

  it('a second provider for the same person: both connections are listed', async () => {
    const started = await stack.api.startConnection<WidgetStarted>({ reference_id: person, providers: ['OURA', 'GARMIN'] });
    const list = await httpBrowser.open(started.url);
    expect(list.html.match(/<li data-provider="/g)).toHaveLength(2);
    // The person's live connection is handed to the widget as already connected.
    expect(list.html).toContain(`data-testid="connected-${fitbit}"`);

    // The person's OURA account (named, so that a later test can reconnect the same one).
    const outcome = await consentInWidget(started.url, 'OURA', 'oura-account-1');
    oura = outcome.location.searchParams.get('user_id') as string;
    expect(outcome.location.searchParams.get('resource')).toBe('OURA');

    const both = await waitFor(
      async () => {
        const connections = await stack.api.connectionsOf(person);
        return connections.filter((c) => c.status === 'active').length === 2 ? connections : undefined;
      },
      { timeoutMs: 15_000, describe: `two active connections for ${person}` },
    );
    expect(both.map((c) => [c.provider, c.terra_user_id]).sort()).toEqual([
      ['FITBIT', fitbit],
      ['OURA', oura],
    ]);
  });

  it('disconnect through the API: disconnected here, the user is gone at Terra, and the deauth webhook changes nothing', async () => {
    const res = await stack.api.call<ConnectionView>('DELETE', `/v1/connections/${fitbit}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ terra_user_id: fitbit, status: 'disconnected', status_reason: 'disconnected via API' });

    expect(await stack.sandbox.user(fitbit)).toBeUndefined();
    expect((await stack.sandbox.terra('GET', `/userInfo?user_id=${fitbit}`)).status).toBe(404);

    // Terra confirms with a deauth webhook; once applied the connection is still the one DELETE left.
    const deauth = await waitFor(
      async () =>
        (
          await stack.db.dataSource.query(`SELECT status FROM webhook_events WHERE type = 'deauth' AND terra_user_id = $1`, [fitbit])
        )[0]?.status === 'processed',
      { timeoutMs: 15_000, describe: 'the deauth webhook applied' },
    );
    expect(deauth).toBe(true);
    const connections = await stack.api.connectionsOf(person);
    expect(Object.fromEntries(connections.map((c) => [c.provider, c.status]))).toEqual({ FITBIT: 'disconnected', OURA: 'active' });
  });

  it('reconnecting the same account through the widget keeps the connection: same connection_id, the new Terra id current', async () => {
    const [before] = (await stack.api.connectionsOf(person)).filter((c) => c.provider === 'OURA');
    const started = await stack.api.startConnection<WidgetStarted>({ reference_id: person, providers: ['OURA'] });
    const outcome = await consentInWidget(started.url, 'OURA', 'oura-account-1');
    expect(outcome.status).toBe(303);
    const renewedId = outcome.location.searchParams.get('user_id') as string;
    expect(renewedId).not.toBe(oura);

    const renewed = await connectionOf(oura, 'the connection on the new id', (c) => c.terra_user_id === renewedId && c.status === 'active');
    expect(renewed).toMatchObject({ connection_id: before.connection_id, terra_user_ids: [oura, renewedId], reference_id: person, provider: 'OURA' });
    expect(await stack.api.connection(before.connection_id)).toMatchObject({ terra_user_id: renewedId });
    const ouraConnections = (await stack.api.connectionsOf(person)).filter((c) => c.provider === 'OURA');
    expect(ouraConnections.map((c) => c.connection_id)).toEqual([before.connection_id]);
    oura = renewedId;
  });

  it('user_reauth from Terra (same account again): still the one connection, its Terra ids in order', async () => {
    const [before] = (await stack.api.connectionsOf(person)).filter((c) => c.provider === 'OURA');
    const reauth = await stack.sandbox.act<{ old_user_id: string; new_user_id: string }>('POST', `/sandbox/users/${oura}/reauth`);
    expect(reauth.old_user_id).toBe(oura);

    const renewed = await connectionOf(oura, 'the connection on the new id', (c) => c.terra_user_id === reauth.new_user_id && c.status === 'active');
    expect(renewed).toMatchObject({ connection_id: before.connection_id, terra_user_ids: [...before.terra_user_ids, reauth.new_user_id] });
    oura = reauth.new_user_id;
  });

  it('a second account of the same provider for the same person is a second connection', async () => {
    const started = await stack.api.startConnection<WidgetStarted>({ reference_id: person, providers: ['OURA'] });
    const outcome = await consentInWidget(started.url, 'OURA', 'oura-account-2');
    const secondId = outcome.location.searchParams.get('user_id') as string;
    const second = await connectionOf(secondId, 'the second OURA account active', (c) => c.status === 'active');
    expect(second.terra_user_ids).toEqual([secondId]);
    const ouraConnections = (await stack.api.connectionsOf(person)).filter((c) => c.provider === 'OURA' && c.status === 'active');
    expect(ouraConnections.map((c) => c.terra_user_id).sort()).toEqual([oura, secondId].sort());
    expect(new Set(ouraConnections.map((c) => c.connection_id)).size).toBe(2);
    // Tidy: the rest of the story is about the first account.
    expect((await stack.api.call('DELETE', `/v1/connections/${second.connection_id}`)).status).toBe(200);
  });

  it('permission_change: the connection takes the new full set of scopes', async () => {
    const before = (await stack.sandbox.user(oura)) as SandboxUserView;
    const removed = (before.scopes ?? '').split(',')[0];
    const changed = await stack.sandbox.act<{ user: SandboxUserView }>('POST', `/sandbox/users/${oura}/permission-change`, {
      scopes_added: ['respiratory_rate'],
      scopes_removed: [removed],
    });
    const expected = (changed.user.scopes ?? '').split(',').sort();
    expect(expected).toContain('respiratory_rate');
    expect(expected).not.toContain(removed);

    const connection = await connectionOf(oura, 'the new scopes', (c) => [...c.scopes].sort().join() === expected.join());
    expect(connection.status).toBe('active');
  });

  it('data events: what the sandbox sends is readable through GET /v1/connections/:id/data', async () => {
    const daily = await stack.sandbox.act<{ delivery: DeliveryView }>('POST', `/sandbox/users/${oura}/data`, { type: 'daily', days: 3 });
    const activity = await stack.sandbox.act<{ delivery: DeliveryView }>('POST', `/sandbox/users/${oura}/data`, { type: 'activity', days: 2 });
    const sentItems = async (deliveryId: string) =>
      ((await stack.sandbox.delivery(deliveryId)).payload?.data ?? []) as { metadata: { start_time: string; summary_id?: string } }[];
    const sentDaily = await sentItems(daily.delivery.id);
    const sentActivity = await sentItems(activity.delivery.id);
    expect(sentDaily).toHaveLength(3);
    expect(sentActivity.length).toBeGreaterThan(0);

    const storedDaily = await waitFor(
      async () => {
        const items = await stack.api.healthData(oura, 'daily');
        return items.length === sentDaily.length ? items : undefined;
      },
      { timeoutMs: 15_000, describe: 'the daily data readable through the API' },
    );
    expect(storedDaily.map((item) => item.date).sort()).toEqual(sentDaily.map((item) => item.metadata.start_time.slice(0, 10)).sort());
    expect(storedDaily.map((item) => item.payload).sort(byStartTime)).toEqual([...sentDaily].sort(byStartTime));

    const storedActivity = await waitFor(
      async () => {
        const items = await stack.api.healthData(oura, 'activity');
        return items.length === sentActivity.length ? items : undefined;
      },
      { timeoutMs: 15_000, describe: 'the activity data readable through the API' },
    );
    expect(storedActivity.map((item) => item.summary_id).sort()).toEqual(sentActivity.map((item) => item.metadata.summary_id).sort());
    expect((await stack.api.connection(oura))?.last_sync_at).not.toBeNull();
  });

  it('connection_error: the connection is in error with the reason', async () => {
    await stack.sandbox.act('POST', `/sandbox/users/${oura}/connection-error`);
    const connection = await connectionOf(oura, 'status error', (c) => c.status === 'error');
    expect(connection.status_reason).toBe('User connection degraded');
  });

  it('direct auth: the auth_url leads to the provider consent, and Allow activates the pre-allocated id', async () => {
    const started = await stack.api.startConnection<DirectStarted>({ reference_id: person, provider: 'garmin' });
    expect(started).toMatchObject({ type: 'direct', provider: 'GARMIN', reference_id: person });

    const consent = await httpBrowser.open(started.url);
    expect(consent.status).toBe(200);
    const outcome = await httpBrowser.submitForm(consent, 'allow-form');
    expect(outcome.location.searchParams.get('user_id')).toBe(started.terra_user_id);
    expect(outcome.landing.html).toContain(`GARMIN connected for ${person}`);

    const connection = await connectionOf(started.terra_user_id, 'the direct connection active', (c) => c.status === 'active');
    expect(connection).toMatchObject({ reference_id: person, provider: 'GARMIN' });
    expect(await attemptsOf(person)).toContainEqual(
      expect.objectContaining({ kind: 'direct', status: 'succeeded', terra_user_id: started.terra_user_id }),
    );
  });

  it('mobile SDK: a token from the API, redeemed by the app, connects Apple Health for the person', async () => {
    const minted = await stack.api.call<{ token: string; expires_in: number }>('POST', '/v1/connections/mobile-token', { reference_id: person });
    expect(minted.status).toBe(201);
    expect(minted.body.token).toMatch(/^[0-9a-f]{64}$/);

    const redeemed = await stack.sandbox.act<{ user: SandboxUserView }>('POST', '/sandbox/mobile/connect', {
      token: minted.body.token,
      provider: 'APPLE',
      reference_id: person,
    });
    const connection = await connectionOf(redeemed.user.user_id, 'the Apple Health connection active', (c) => c.status === 'active');
    expect(connection).toMatchObject({ reference_id: person, provider: 'APPLE' });
    expect(await attemptsOf(person)).toContainEqual(
      expect.objectContaining({ kind: 'mobile', status: 'succeeded', terra_user_id: redeemed.user.user_id }),
    );
    // A token is single use.
    expect((await stack.sandbox.control('POST', '/sandbox/mobile/connect', { token: minted.body.token, provider: 'APPLE', reference_id: person })).status).toBe(409);
  });

  it('every webhook the sandbox sent was delivered, stored once and applied, and both workers are still up', async () => {
    // The sandbox records an attempt when our 200 comes back, which can be just after the worker applied it.
    const deliveries = await waitFor(
      async () => {
        const all = await stack.sandbox.deliveries();
        return all.every((delivery) => delivery.status !== 'pending') ? all : undefined;
      },
      { describe: 'no delivery pending at the sandbox' },
    );
    expect(deliveries.length).toBeGreaterThan(0);
    const inbox: { dedup_key: string; status: string; duplicate_count: number }[] = await stack.db.dataSource.query(
      `SELECT dedup_key, status, duplicate_count FROM webhook_events`,
    );
    const byTrace = new Map(inbox.map((row) => [row.dedup_key, row]));
    for (const delivery of deliveries) {
      expect({ id: delivery.id, type: delivery.type, status: delivery.status }).toEqual({ id: delivery.id, type: delivery.type, status: 'delivered' });
      expect({ type: delivery.type, row: byTrace.get(delivery.trace_id)?.status }).toEqual({ type: delivery.type, row: 'processed' });
    }
    expect(inbox).toHaveLength(deliveries.length);
    expect(stack.workers.every((worker) => worker.running)).toBe(true);
  });
});

function byStartTime(a: unknown, b: unknown): number {
  const start = (item: unknown) => String((item as { metadata: { start_time: string } }).metadata.start_time);
  return start(a).localeCompare(start(b));
}
