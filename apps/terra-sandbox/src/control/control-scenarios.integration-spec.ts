import { Terra } from 'terra-api';
import { startSandbox, waitFor, type SandboxHarness } from '../testing/sandbox-harness';
import type { ReceivedWebhook } from '../testing/webhook-receiver';

type SandboxUserBody = { user_id: string; provider: string; reference_id: string | null; scopes: string | null; active: boolean };
type Delivery = { id: string; trace_id: string; terra_reference: string };

describe('control endpoints: what users and providers do at Terra', () => {
  let sandbox: SandboxHarness;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const seed = async (provider: string, referenceId: string) =>
    (await sandbox.control<{ users: SandboxUserBody[] }>('POST', '/sandbox/users', { provider, reference_id: referenceId })).body.users[0];
  const hookOf = (delivery: Delivery) =>
    waitFor(() => sandbox.receiver.withTrace(delivery.trace_id)[0], `delivery ${delivery.id}`);
  const userOf = (hook: ReceivedWebhook) => hook.json.user as SandboxUserBody;

  it('seeding a user sends its auth webhook, and users can be listed by reference', async () => {
    const user = await seed('GARMIN', 'p-seed');
    await waitFor(() => sandbox.receiver.ofType('auth').find((hook) => userOf(hook).user_id === user.user_id), 'the auth webhook');
    const { body } = await sandbox.control<{ users: SandboxUserBody[] }>('GET', '/sandbox/users?reference_id=p-seed');
    expect(body.users.map((u) => u.user_id)).toEqual([user.user_id]);
  });

  it('access_revoked marks the user inactive', async () => {
    const user = await seed('OURA', 'p-revoke');
    const { body } = await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${user.user_id}/access-revoked`);
    const hook = await hookOf(body.delivery);
    expect(hook.json).toMatchObject({ type: 'access_revoked', status: 'warning', user: { user_id: user.user_id, active: false } });
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: user.user_id })).resolves.toMatchObject({ user: { active: false } });
  });

  it('connection_error and google_no_datasource', async () => {
    const fitbit = await seed('FITBIT', 'p-error');
    const error = await hookOf((await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${fitbit.user_id}/connection-error`)).body.delivery);
    expect(error.json).toMatchObject({ type: 'connection_error', status: 'warning', message: expect.any(String), user: { user_id: fitbit.user_id } });
    const google = await seed('GOOGLE', 'p-google');
    const none = await hookOf((await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${google.user_id}/google-no-datasource`)).body.delivery);
    expect(none.json).toMatchObject({ type: 'google_no_datasource', status: 'warning', user: { provider: 'GOOGLE' } });
  });

  it('permission_change carries the added/removed scopes and the new full scopes', async () => {
    const user = await seed('FITBIT', 'p-scopes');
    const { body } = await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${user.user_id}/permission-change`, {
      scopes_added: ['respiratory_rate'],
      scopes_removed: 'location',
    });
    const hook = await hookOf(body.delivery);
    expect(hook.json).toMatchObject({ type: 'permission_change', version: '2022-03-16', scopes_added: 'respiratory_rate', scopes_removed: 'location' });
    const scopes = (userOf(hook).scopes as string).split(',');
    expect(scopes).toContain('respiratory_rate');
    expect(scopes).not.toContain('location');
    const info = (await sandbox.terra.user.getinfoforuserid({ user_id: user.user_id })) as { user: Terra.TerraUser };
    expect(info.user.scopes).toBe(userOf(hook).scopes);
    const bad = await sandbox.control<{ message: string }>('POST', `/sandbox/users/${user.user_id}/permission-change`, {});
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('scopes_added');
  });

  it('data events for a user: the type and number of days asked for', async () => {
    const user = await seed('OURA', 'p-data');
    const { body } = await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${user.user_id}/data`, { type: 'sleep', days: 3 });
    const hook = await hookOf(body.delivery);
    expect(hook.json).toMatchObject({ type: 'sleep', version: '2022-03-16', user: { user_id: user.user_id } });
    expect(hook.json.data).toHaveLength(3);
  });

  it('a large request: processing, sending with expected_payloads, then that many chunks (one per calendar month)', async () => {
    const user = await seed('WHOOP', 'p-large');
    const { body } = await sandbox.control<{ reference: string; expected_payloads: number }>('POST', `/sandbox/users/${user.user_id}/large-request`, { type: 'activity', days: 70 });
    // 70 days ending today touch three calendar months, or four.
    expect([3, 4]).toContain(body.expected_payloads);
    const related = () => sandbox.receiver.received.filter((hook) => hook.headers['terra-reference'] === body.reference);
    await waitFor(() => related().length === 2 + body.expected_payloads, 'the webhooks of the large request');
    expect(related().map((hook) => hook.json.type)).toEqual(['large_request_processing', 'large_request_sending', ...Array(body.expected_payloads).fill('activity')]);
    expect(related()[1].json).toMatchObject({ expected_payloads: body.expected_payloads, reference: body.reference });
  });

  it('a Terra-side deauth deletes the user and sends deauth at once', async () => {
    const user = await seed('POLAR', 'p-gone');
    const { status } = await sandbox.control('POST', `/sandbox/users/${user.user_id}/deauth`);
    expect(status).toBe(200);
    await waitFor(() => sandbox.receiver.ofType('deauth').find((hook) => userOf(hook).user_id === user.user_id), 'the deauth webhook');
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: user.user_id })).rejects.toBeInstanceOf(Terra.NotFoundError);
    expect((await sandbox.control('POST', `/sandbox/users/${user.user_id}/deauth`)).status).toBe(404);
  });

  it('a missed deauth: the user is gone at Terra and no deauth is sent; a missed auth: seeded without its auth', async () => {
    const user = await seed('POLAR', 'p-missed-deauth');
    const { body } = await sandbox.control<{ delivered: boolean }>('POST', `/sandbox/users/${user.user_id}/deauth`, { deliver: false });
    expect(body.delivered).toBe(false);
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: user.user_id })).rejects.toBeInstanceOf(Terra.NotFoundError);
    const missed = (
      await sandbox.control<{ users: SandboxUserBody[] }>('POST', '/sandbox/users', { provider: 'OURA', reference_id: 'p-missed-auth', webhooks: false })
    ).body.users[0];
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: missed.user_id })).resolves.toMatchObject({ user: { reference_id: 'p-missed-auth' } });
    // Deliveries are recorded when sent: neither has one.
    const log = await sandbox.control<{ deliveries: { type: string; user_ids: string[] }[] }>('GET', '/sandbox/deliveries?limit=1000');
    const about = (id: string, type: string) => log.body.deliveries.filter((d) => d.type === type && d.user_ids.includes(id));
    expect(about(user.user_id, 'deauth')).toEqual([]);
    expect(about(missed.user_id, 'auth')).toEqual([]);
  });

  it('a rhythm: one data webhook per scheduled sync, then silence', async () => {
    const user = await seed('FITBIT', 'p-rhythm');
    const { body } = await sandbox.control<{ schedule_days: number[]; ends_in_ms: number }>('POST', `/sandbox/users/${user.user_id}/rhythm`, {
      pattern: 'daily',
      type: 'sleep',
      days: 3,
      day_ms: 50,
    });
    expect(body).toEqual({ schedule_days: [0.5, 1.5, 2.5], ends_in_ms: 125 });
    const sleeps = () => sandbox.receiver.ofType('sleep').filter((hook) => userOf(hook).user_id === user.user_id);
    await waitFor(() => sleeps().length === 3, 'three sleep webhooks');
    const bad = await sandbox.control<{ message: string }>('POST', `/sandbox/users/${user.user_id}/rhythm`, { pattern: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('pattern');
  });

  it('user_reauth: the same account reconnects, a new id replaces the old one', async () => {
    const user = await seed('GARMIN', 'p-reauth');
    const { body } = await sandbox.control<{ old_user_id: string; new_user_id: string }>('POST', `/sandbox/users/${user.user_id}/reauth`);
    expect(body.old_user_id).toBe(user.user_id);
    const reauth = await waitFor(() => sandbox.receiver.ofType('user_reauth').find((hook) => (hook.json.old_user as SandboxUserBody).user_id === user.user_id), 'user_reauth');
    expect(reauth.json).toMatchObject({ status: 'warning', new_user: { user_id: body.new_user_id, provider: 'GARMIN', reference_id: 'p-reauth' } });
    await waitFor(() => sandbox.receiver.ofType('auth').find((hook) => userOf(hook).user_id === body.new_user_id), 'auth for the new id');
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: user.user_id })).rejects.toBeInstanceOf(Terra.NotFoundError);
  });

  it('a healthcheck has no ordering timestamp header', async () => {
    const { body } = await sandbox.control<{ delivery: Delivery }>('POST', '/sandbox/events/healthcheck');
    const hook = await hookOf(body.delivery);
    expect(hook.json).toMatchObject({ type: 'healthcheck', sent_webhooks_last_hour: expect.any(Number) });
    expect(hook.headers['x-terra-ordering-timestamp']).toBeUndefined();
  });

  it('answers 404 for unknown users and 400 naming the field', async () => {
    expect((await sandbox.control('POST', '/sandbox/users/ghost/connection-error')).status).toBe(404);
    const bad = await sandbox.control<{ statusCode: number; message: string }>('POST', '/sandbox/users', { provider: 'GARMIN', count: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('count') });
  });

  it('reset forgets users, deliveries, faults and settings', async () => {
    await sandbox.control('POST', '/sandbox/faults/rest', { path: '*', status: 500, count: 5 });
    await sandbox.control('PATCH', '/sandbox/settings', { legacy_widget_gone: true });
    expect((await sandbox.control('POST', '/sandbox/reset')).status).toBe(200);
    const health = await sandbox.control<{ users: number; deliveries: number }>('GET', '/sandbox/health');
    expect(health.body).toMatchObject({ users: 0, deliveries: 0 });
    const faults = await sandbox.control<{ rest: unknown[] }>('GET', '/sandbox/faults');
    expect(faults.body.rest).toEqual([]);
    await expect(sandbox.terra.authentication.generatewidgetsession()).resolves.toMatchObject({ status: 'success' });
  });
});
