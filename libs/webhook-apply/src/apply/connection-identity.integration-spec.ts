import { storeDelivery } from './testing/store-delivery';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConnectionLifecycle, ConnectionsService } from '@terra-connections/connections';
import { type TerraGateway } from '@terra-connections/terra';
import { loadConfig } from '@terra-connections/config';
import { createTestDatabase, testEnv, type TestDatabase } from '@terra-connections/testing';
import { HealthDataQuery, InboxWriter, WebhookEventsQuery } from '@terra-connections/webhook-ingest';
import { WebhookEventApplier } from './webhook-event-applier';
import { createWebhookEventHandlers } from '../webhook-apply.providers';

type Json = Record<string, unknown>;

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;

const user = (userId: string, referenceId: string) => ({
  user_id: userId,
  provider: 'GARMIN',
  reference_id: referenceId,
  scopes: 'a,b',
  last_webhook_update: null,
  active: true,
});
const daily = (userId: string, referenceId: string, day: string, steps: number, sleepScore: number | null) => ({
  type: 'daily',
  user: user(userId, referenceId),
  version: '2022-03-16',
  data: [
    {
      metadata: { start_time: `${day}T00:00:00.000000+01:00`, end_time: `${day}T23:59:59+01:00` },
      distance_data: { steps },
      data_enrichment: { sleep_score: sleepScore },
    },
  ],
});

/** Every order of a list (5 items: 120 orders). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/**
 * One identity across reconnects (issue 11): the worker applies a reauth chain A -> B -> C in every order, and
 * the API's reads (the lib services behind the routes) see one connection whatever order it took.
 */
describe('connection identity across user_reauth chains (real Postgres)', () => {
  let db: TestDatabase;
  let writer: InboxWriter;
  let applier: WebhookEventApplier;
  let connections: ConnectionsService;
  let healthData: HealthDataQuery;
  let history: WebhookEventsQuery;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('connection_identity');
    writer = new InboxWriter(db.dataSource);
    applier = new WebhookEventApplier(db.dataSource, createWebhookEventHandlers());
    // Reads only: nothing here asks Terra.
    connections = new ConnectionsService(db.dataSource, {} as TerraGateway, new ConnectionLifecycle(db.dataSource), loadConfig(testEnv()));
    healthData = new HealthDataQuery(db.dataSource);
    history = new WebhookEventsQuery(db.dataSource);
  });

  afterAll(async () => {
    await db.drop();
  });

  async function deliver(payload: Json, orderingTimestampMs: number): Promise<void> {
    const id = await storeDelivery(writer, payload, { orderingTimestampMs });
    expect(await applier.apply(id, { attempt: 1, maxAttempts: 16 })).toBe('applied');
  }

  const steps = ['auth A', 'auth B', 'auth C', 'reauth A->B', 'reauth B->C'] as const;
  const orders = permutations(steps);

  it('covers every order of the chain, C\'s auth first among them', () => {
    expect(orders).toHaveLength(120);
    expect(orders.filter((order) => order[0] === 'auth C')).toHaveLength(24);
  });

  it.each(orders.map((order) => [order.join(', '), order]))(
    'A -> B -> C delivered as %s: one connection, three ids, C current, the data of all three once',
    async (_name, order) => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const referenceId = `person-${randomUUID()}`;
      const auth = (id: string) => ({ type: 'auth', status: 'success', user: user(id, referenceId), reference_id: referenceId, widget_session_id: null });
      const reauth = (oldId: string, newId: string) => ({
        type: 'user_reauth',
        status: 'warning',
        message: 'reauth',
        old_user: user(oldId, referenceId),
        new_user: user(newId, referenceId),
      });
      const events: Record<(typeof steps)[number], [Json, number]> = {
        'auth A': [auth(a), at(0)],
        'auth B': [auth(b), at(100)],
        'auth C': [auth(c), at(200)],
        'reauth A->B': [reauth(a, b), at(100)],
        'reauth B->C': [reauth(b, c), at(200)],
      };

      // The data raced ahead of every auth: it waits under each id until the id joins a connection. Day 2 is
      // sent by all three ids: the newest copy (C's) wins, and the score only A's copy has is kept.
      await deliver(daily(a, referenceId, '2026-03-01', 100, 70), at(5));
      await deliver(daily(a, referenceId, '2026-03-02', 1000, 80), at(10));
      await deliver(daily(b, referenceId, '2026-03-02', 2000, null), at(110));
      await deliver(daily(c, referenceId, '2026-03-02', 3000, null), at(210));
      await deliver(daily(c, referenceId, '2026-03-03', 300, 90), at(220));
      for (const step of order) await deliver(...events[step]);

      const listed = await connections.list({ referenceId });
      expect(listed.items).toHaveLength(1);
      const [connection] = listed.items;
      expect(connection).toMatchObject({ terraUserId: c, terraUserIds: [a, b, c], status: 'active', provider: 'GARMIN', referenceId });

      for (const id of [connection.connectionId, a, b, c]) {
        expect(await connections.get(id)).toMatchObject({ connectionId: connection.connectionId, terraUserId: c, terraUserIds: [a, b, c] });
        const page = await healthData.list(id, { limit: 50 });
        expect(page.items.map((item) => [item.date, (item.payload as Json).distance_data, (item.payload as Json).data_enrichment])).toEqual([
          ['2026-03-01', { steps: 100 }, { sleep_score: 70 }],
          ['2026-03-02', { steps: 3000 }, { sleep_score: 80 }],
          ['2026-03-03', { steps: 300 }, { sleep_score: 90 }],
        ]);
        const deliveries = await history.forConnection(id, { limit: 50 });
        expect(new Set(deliveries.items.map((item) => item.terraUserId))).toEqual(new Set([a, b, c]));
        expect(deliveries.items).toHaveLength(10);
      }
      const rows: { terra_user_id: string; status: string; is_current: boolean }[] = await db.dataSource.query(
        `SELECT terra_user_id, status, is_current FROM terra_connections WHERE connection_id = $1 ORDER BY chain_position`,
        [connection.connectionId],
      );
      expect(rows).toEqual([
        { terra_user_id: a, status: 'replaced', is_current: false },
        { terra_user_id: b, status: 'replaced', is_current: false },
        { terra_user_id: c, status: 'active', is_current: true },
      ]);
      const stray: { n: number }[] = await db.dataSource.query(
        `SELECT count(*)::int AS n FROM health_data WHERE terra_user_id = ANY($1::varchar[]) AND connection_id <> $2`,
        [[a, b, c], connection.connectionId],
      );
      expect(stray[0].n).toBe(0);
    },
  );

  it('the first id\'s connection_id stays when the reconnect comes in the usual order (auth A, then B\'s auth and reauth)', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const referenceId = `person-${randomUUID()}`;
    await deliver({ type: 'auth', status: 'success', user: user(a, referenceId), reference_id: referenceId, widget_session_id: null }, at(0));
    const before = await connections.get(a);
    await deliver({ type: 'auth', status: 'success', user: user(b, referenceId), reference_id: referenceId, widget_session_id: null }, at(50));
    // B's auth alone is, for now, a second connection: nothing says yet that it is the same account.
    expect((await connections.list({ referenceId })).items).toHaveLength(2);
    await deliver({ type: 'user_reauth', status: 'warning', message: 'x', old_user: user(a, referenceId), new_user: user(b, referenceId) }, at(50));
    const after = await connections.get(b);
    expect(after).toMatchObject({ connectionId: before.connectionId, terraUserId: b, terraUserIds: [a, b], status: 'active' });
    expect((await connections.list({ referenceId })).items.map((item) => item.connectionId)).toEqual([before.connectionId]);
  });

  it('keeps data of a replaced id applied after the reauth while the connection lives, and drops it once the connection ended', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const referenceId = `person-${randomUUID()}`;
    await deliver({ type: 'auth', status: 'success', user: user(a, referenceId), reference_id: referenceId, widget_session_id: null }, at(0));
    await deliver({ type: 'user_reauth', status: 'warning', message: 'x', old_user: user(a, referenceId), new_user: user(b, referenceId) }, at(10));
    // Sent under A before the reauth, applied after it (a Terra retry): the connection's data.
    await deliver(daily(a, referenceId, '2026-03-01', 1, 50), at(5));
    const connection = await connections.get(b);
    const days = async () => (await healthData.list(connection.connectionId, { limit: 10 })).items.map((item) => item.date);
    expect(await days()).toEqual(['2026-03-01']);

    await deliver({ type: 'deauth', status: 'success', user: user(b, referenceId) }, at(20));
    await deliver(daily(a, referenceId, '2026-03-02', 2, 60), at(6));
    expect(await days()).toEqual(['2026-03-01']);
  });

  it('access_revoked erases the connection\'s data and inbox bodies under every one of its Terra ids', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const referenceId = `person-${randomUUID()}`;
    await deliver({ type: 'auth', status: 'success', user: user(a, referenceId), reference_id: referenceId, widget_session_id: null }, at(0));
    await deliver(daily(a, referenceId, '2026-03-01', 1, 50), at(5));
    await deliver({ type: 'user_reauth', status: 'warning', message: 'x', old_user: user(a, referenceId), new_user: user(b, referenceId) }, at(10));
    await deliver(daily(b, referenceId, '2026-03-02', 2, 60), at(15));
    await deliver({ type: 'access_revoked', status: 'warning', message: 'revoked', user: user(b, referenceId) }, at(20));
    const connection = await connections.get(a);
    expect(connection).toMatchObject({ terraUserId: b, status: 'revoked', terraUserIds: [a, b] });
    expect((await healthData.list(connection.connectionId, { limit: 10 })).items).toEqual([]);
    const bodies: { type: string; emptied: boolean }[] = await db.dataSource.query(
      `SELECT type, payload = '{}'::jsonb AS emptied FROM webhook_events WHERE terra_user_id = ANY($1::varchar[]) AND type = 'daily' ORDER BY id`,
      [[a, b]],
    );
    expect(bodies).toEqual([
      { type: 'daily', emptied: true },
      { type: 'daily', emptied: true },
    ]);
  });

  it('a second account of the same provider for the same person is a second connection', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const referenceId = `person-${randomUUID()}`;
    for (const [id, time] of [[first, 0], [second, 10]] as const) {
      await deliver({ type: 'auth', status: 'success', user: user(id, referenceId), reference_id: referenceId, widget_session_id: null }, at(time));
    }
    const listed = (await connections.list({ referenceId })).items;
    expect(listed.map((item) => item.terraUserIds)).toEqual([[first], [second]]);
    expect(listed[0].connectionId).not.toBe(listed[1].connectionId);
  });
});
