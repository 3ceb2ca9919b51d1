import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import { expectStatus, type ConnectionView } from '../support/api-client';
import { E2eStack } from '../support/e2e-stack';
import { requestJson } from '../support/json-http';

/**
 * Connection health across processes, time scaled down: a "day" is DAY_MS of real time and the freshness windows
 * are given in the same scale. The sandbox plays a provider's rhythm (docs/sandbox.md, "Connection health
 * scenarios"); the worker's freshness job runs every 100 ms; reconciliation runs on demand.
 */
const DAY_MS = 600;
const days = (n: number) => String(Math.round(n * DAY_MS));

describe('connection health: freshness and drift, end to end', () => {
  const stack = new E2eStack({
    suite: 'e2e_connection_health',
    workers: 1,
    env: {
      FRESHNESS_CHECK_INTERVAL_MS: '100',
      FRESHNESS_MIN_WINDOW_MS: days(0.5),
      FRESHNESS_MAX_WINDOW_MS: days(20),
      FRESHNESS_DEFAULT_WINDOW_MS: days(3),
      FRESHNESS_MOBILE_DEFAULT_WINDOW_MS: days(5),
    },
  });

  beforeAll(async () => {
    await stack.start();
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
  }, 60_000);

  type Event = { type: string; data: Record<string, unknown> };
  const eventsOf = async (connectionId: string, types: string): Promise<Event[]> =>
    expectStatus(
      await stack.api.call<{ data: Event[] }>('GET', `/v1/events?connection_id=${connectionId}&types=${types}&limit=500`),
      200,
      'GET /v1/events',
    ).data;
  const admin = <T>(method: string, path: string) =>
    requestJson<T>(`${stack.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });

  async function connected(provider: string, referenceId: string): Promise<ConnectionView> {
    const { users } = await stack.sandbox.act<{ users: { user_id: string }[] }>('POST', '/sandbox/users', { provider, reference_id: referenceId });
    const id = users[0].user_id;
    return waitFor(async () => {
      const connection = await stack.api.connection(id);
      return connection?.status === 'active' ? connection : undefined;
    }, { timeoutMs: 15_000, describe: `${provider} connected` });
  }

  const rhythm = (userId: string, pattern: string, type: string, count: number) =>
    stack.sandbox.act<{ schedule_days: number[]; ends_in_ms: number }>('POST', `/sandbox/users/${userId}/rhythm`, {
      pattern,
      type,
      days: count,
      day_ms: DAY_MS,
    });
  const dataCount = async (connectionId: string, type: string) =>
    (await eventsOf(connectionId, 'data.received')).filter((event) => event.data.data_type === type).length;

  it('a silenced provider goes stale once, past its learned window; a weekend gap and a phone\'s irregular syncs do not alarm', async () => {
    const silent = await connected('FITBIT', 'p-silent');
    const weekend = await connected('GARMIN', 'p-weekend');
    const phone = await connected('APPLE', 'p-phone');
    const [silentPlan, weekendPlan, phonePlan] = await Promise.all([
      rhythm(silent.terra_user_id, 'daily', 'sleep', 8),
      rhythm(weekend.terra_user_id, 'weekdays', 'activity', 14),
      rhythm(phone.terra_user_id, 'irregular', 'daily', 14),
    ]);
    const started = Date.now();

    // The silenced user: every sync arrives, then stale once its window (3 x a day) has passed.
    await waitFor(async () => (await dataCount(silent.connection_id, 'sleep')) === silentPlan.schedule_days.length, {
      timeoutMs: silentPlan.ends_in_ms + 15_000,
      describe: 'every sync of the silenced user',
    });
    const stale = await waitFor(async () => {
      const connection = await stack.api.connection(silent.terra_user_id);
      return connection?.freshness === 'stale' ? connection : undefined;
    }, { timeoutMs: 15_000, describe: 'the silenced user stale' });
    const silence = Date.now() - Date.parse(stale.last_data_at as string);
    expect(silence).toBeGreaterThanOrEqual(3 * DAY_MS - 100);

    // Both others: every sync arrived and not one connection.stale while they kept their rhythm.
    for (const [connection, plan, type] of [
      [weekend, weekendPlan, 'activity'],
      [phone, phonePlan, 'daily'],
    ] as const) {
      await waitFor(async () => (await dataCount(connection.connection_id, type)) === plan.schedule_days.length, {
        timeoutMs: Math.max(0, plan.ends_in_ms - (Date.now() - started)) + 15_000,
        describe: `every sync of ${connection.reference_id}`,
      });
      expect(await eventsOf(connection.connection_id, 'connection.stale')).toEqual([]);
      expect((await stack.api.connection(connection.terra_user_id))?.freshness).toBe('fresh');
    }

    // Still exactly one for the silenced user, many job runs later; fresh again at its next data, at once.
    expect((await eventsOf(silent.connection_id, 'connection.stale')).map((event) => event.data.previous_freshness)).toEqual(['fresh']);
    expect(expectStatus(await stack.api.call<{ data: ConnectionView[] }>('GET', '/v1/connections?freshness=stale&limit=200'), 200, 'list').data.map((c) => c.connection_id)).toContain(silent.connection_id);
    await stack.sandbox.act('POST', `/sandbox/users/${silent.terra_user_id}/data`, { type: 'sleep', days: 1 });
    const fresh = await waitFor(async () => {
      const events = await eventsOf(silent.connection_id, 'connection.stale,connection.fresh');
      return events.length === 2 ? events : undefined;
    }, { timeoutMs: 15_000, describe: 'connection.fresh' });
    expect(fresh.map((event) => event.type)).toEqual(['connection.stale', 'connection.fresh']);
    expect(fresh[1].data).toMatchObject({ data_type: 'sleep' });
    expect((await stack.api.connection(silent.terra_user_id))?.freshness).toBe('fresh');
  }, 60_000);

  it('a missed deauth and a missed auth: reconciliation finds both, with the events a webhook would have caused and a drift row each', async () => {
    const gone = await connected('POLAR', 'p-missed-deauth');
    await stack.sandbox.act('POST', `/sandbox/users/${gone.terra_user_id}/deauth`, { deliver: false });
    // A connect attempt of ours whose auth webhook is lost.
    expect((await stack.api.call('POST', '/v1/connections', { reference_id: 'p-missed-auth', providers: ['OURA'] })).status).toBe(201);
    const { users } = await stack.sandbox.act<{ users: { user_id: string }[] }>('POST', '/sandbox/users', {
      provider: 'OURA',
      reference_id: 'p-missed-auth',
      webhooks: false,
    });
    const missed = users[0].user_id;
    expect(await stack.api.connection(missed)).toBeUndefined();

    expect((await admin('POST', '/v1/admin/reconcile')).status).toBe(202);
    await waitFor(async () => (await stack.api.connection(gone.terra_user_id))?.status === 'disconnected', { timeoutMs: 15_000, describe: 'the missed deauth repaired' });
    const created = await waitFor(() => stack.api.connection(missed), { timeoutMs: 15_000, describe: 'the missed auth repaired' });
    expect(created).toMatchObject({ status: 'active', reference_id: 'p-missed-auth', provider: 'OURA' });

    const drift = await admin<{ data: { kind: string; terra_user_id: string; connection_id: string }[] }>('GET', '/v1/admin/drift');
    expect(drift.status).toBe(200);
    expect(drift.body.data.map((row) => [row.kind, row.terra_user_id])).toEqual(
      expect.arrayContaining([
        ['missed_deauth', gone.terra_user_id],
        ['missed_auth', missed],
      ]),
    );
    expect((await eventsOf(gone.connection_id, 'connection.disconnected'))[0].data).toMatchObject({ disconnected_by: 'reconciliation', previous_status: 'active' });
    expect((await eventsOf(created.connection_id, 'connection.connected'))[0].data).toMatchObject({ previous_status: null });
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/drift_corrections_total\{kind="missed_deauth"\} 1/);
    expect(metrics).toMatch(/drift_corrections_total\{kind="missed_auth"\} 1/);
  }, 60_000);
});
