import { randomBytes } from 'node:crypto';
import { waitFor } from '@terra-connections/testing';
import type { ConnectionView, WidgetStarted } from './support/api-client';
import { E2eStack } from './support/e2e-stack';
import { httpBrowser } from './support/http-browser';
import type { DeliveryView } from './support/sandbox-control';

interface InboxRow {
  dedup_key: string;
  type: string;
  status: string;
  duplicate_count: number;
}

/**
 * Terra retries a webhook the API did not accept (terra-contract.md §4). Here the API really is unavailable: first it
 * answers 503 because its database connection is cut (the workers keep theirs), then its process is gone and
 * a new one starts later on the same port. Every event must end up stored once and applied.
 */
describe('sandbox retries while the API is unavailable', () => {
  const stack = new E2eStack({ suite: 'e2e_webhook_retries', workers: 2, proxyApiDatabase: true });
  const person = `person-${randomBytes(4).toString('hex')}`;
  let fitbit: string;
  let oura: string;

  beforeAll(async () => {
    await stack.start();
    const started = await stack.api.startConnection<WidgetStarted>({ reference_id: person, providers: ['FITBIT'] });
    const outcome = await allowInWidget(started.url, 'FITBIT');
    fitbit = outcome.location.searchParams.get('user_id') as string;
    await connectionOf(fitbit, 'the first connection active', (c) => c.status === 'active');
  }, 60_000);
  afterAll(() => stack.stop(), 60_000);

  async function allowInWidget(widgetUrl: string, provider: string) {
    const list = await httpBrowser.open(widgetUrl);
    return httpBrowser.submitForm(await httpBrowser.followLink(list, `provider-${provider}`), 'allow-form');
  }

  function connectionOf(terraUserId: string, describe: string, accept: (c: ConnectionView) => boolean) {
    return waitFor(
      async () => {
        const connection = await stack.api.connection(terraUserId);
        return connection && accept(connection) ? connection : undefined;
      },
      { timeoutMs: 20_000, describe: `${describe} (${terraUserId})` },
    );
  }

  /** Waits until each delivery has failed `count` attempts in a row, as `failed` describes them. */
  function failedAttempts(ids: string[], count: number, failed: (attempt: DeliveryView['attempts'][number]) => boolean) {
    return waitFor(
      async () => {
        const deliveries = await Promise.all(ids.map((id) => stack.sandbox.delivery(id)));
        return deliveries.every((d) => d.status === 'pending' && d.attempts.length >= count && d.attempts.every(failed)) ? deliveries : undefined;
      },
      { timeoutMs: 10_000, describe: `${ids.length} deliveries each failing ${count} attempts` },
    );
  }

  function delivered(ids: string[]) {
    return waitFor(
      async () => {
        const deliveries = await Promise.all(ids.map((id) => stack.sandbox.delivery(id)));
        return deliveries.every((d) => d.status !== 'pending') ? deliveries : undefined;
      },
      { timeoutMs: 30_000, describe: `${ids.length} deliveries retried until answered` },
    );
  }

  async function inboxRows(deliveries: DeliveryView[]): Promise<InboxRow[]> {
    return stack.db.dataSource.query(`SELECT dedup_key, type, status, duplicate_count FROM webhook_events WHERE dedup_key = ANY($1)`, [
      deliveries.map((d) => d.trace_id),
    ]);
  }

  it('503 while the API cannot reach Postgres: nothing is stored, and once it can, every retried event is stored once and applied', async () => {
    // Started while all is well; the person finishes the widget during the outage.
    const pending = await stack.api.startConnection<WidgetStarted>({ reference_id: person, providers: ['OURA'] });
    const proxy = stack.dbProxy;
    if (!proxy) throw new Error('the stack was started without the database proxy');
    proxy.close();

    const consent = await allowInWidget(pending.url, 'OURA');
    oura = consent.location.searchParams.get('user_id') as string;
    const [auth] = await stack.sandbox.deliveries({ user_id: oura, type: 'auth' });
    const data = await stack.sandbox.act<{ delivery: DeliveryView }>('POST', `/sandbox/users/${fitbit}/data`, { type: 'daily', days: 2 });
    const permissions = await stack.sandbox.act<{ delivery: DeliveryView; user: { scopes: string } }>(
      'POST',
      `/sandbox/users/${fitbit}/permission-change`,
      { scopes_added: ['respiratory_rate'] },
    );
    const ids = [auth.id, data.delivery.id, permissions.delivery.id];

    const refused = await failedAttempts(ids, 3, (attempt) => attempt.status_code === 503 && !attempt.injected);
    expect(await inboxRows(refused)).toEqual([]);

    proxy.resume();
    const deliveries = await delivered(ids);
    for (const delivery of deliveries) {
      expect(delivery.status).toBe('delivered');
      const codes = delivery.attempts.map((a) => a.status_code);
      expect(codes.slice(0, -1).every((code) => code === 503)).toBe(true);
      expect(codes.at(-1)).toBe(200);
    }
    const rows = await waitFor(
      async () => {
        const found = await inboxRows(deliveries);
        return found.length === deliveries.length && found.every((row) => row.status === 'processed') ? found : undefined;
      },
      { describe: 'one processed inbox row per event' },
    );
    expect(rows.map((row) => [row.type, row.duplicate_count]).sort()).toEqual([
      ['auth', 0],
      ['daily', 0],
      ['permission_change', 0],
    ]);

    await connectionOf(oura, 'the connection made during the outage active', (c) => c.status === 'active' && c.reference_id === person);
    const scopes = permissions.user.scopes.split(',').sort().join();
    await connectionOf(fitbit, 'the new scopes', (c) => [...c.scopes].sort().join() === scopes);
    expect(await stack.api.healthData(fitbit, 'daily')).toHaveLength(2);
  }, 60_000);

  it('the API process gone, then a new one on the same port: retries deliver every event once it is back', async () => {
    await stack.stopApi();
    expect(stack.apiRunning).toBe(false);

    const reauth = await stack.sandbox.act<{ old_user_id: string; new_user_id: string }>('POST', `/sandbox/users/${oura}/reauth`);
    const reauthEvents = await stack.sandbox.deliveries({ user_id: reauth.new_user_id });
    expect(reauthEvents.map((d) => d.type).sort()).toEqual(['auth', 'user_reauth']);
    const error = await stack.sandbox.act<{ delivery: DeliveryView }>('POST', `/sandbox/users/${fitbit}/connection-error`);
    const sleep = await stack.sandbox.act<{ delivery: DeliveryView }>('POST', `/sandbox/users/${fitbit}/data`, { type: 'sleep', days: 1 });
    const ids = [...reauthEvents.map((d) => d.id), error.delivery.id, sleep.delivery.id];

    // Nobody listens: connection refused, no status code.
    await failedAttempts(ids, 2, (attempt) => attempt.status_code === null && attempt.error !== null);

    await stack.startApi();
    const deliveries = await delivered(ids);
    expect(deliveries.map((d) => [d.type, d.status, d.attempts.at(-1)?.status_code])).toEqual(
      deliveries.map((d) => [d.type, 'delivered', 200]),
    );
    const rows = await waitFor(
      async () => {
        const found = await inboxRows(deliveries);
        return found.length === deliveries.length && found.every((row) => row.status === 'processed') ? found : undefined;
      },
      { describe: 'one processed inbox row per event' },
    );
    expect(rows.map((row) => row.type).sort()).toEqual(['auth', 'connection_error', 'sleep', 'user_reauth']);

    const renewed = await connectionOf(oura, 'the connection on the new id', (c) => c.terra_user_id === reauth.new_user_id);
    expect(renewed).toMatchObject({ terra_user_ids: [oura, reauth.new_user_id], status: 'active', provider: 'OURA' });
    await connectionOf(fitbit, 'the connection in error', (c) => c.status === 'error');
    expect(await stack.api.healthData(fitbit, 'sleep')).toHaveLength(1);
  }, 60_000);
});
