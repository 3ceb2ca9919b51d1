import { storeDelivery } from './testing/store-delivery';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ConnectionLifecycle, EventFeedQuery, toEventEnvelope, type EventEnvelope } from '@terra-connections/connections';
import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { WebhookEventApplier } from './webhook-event-applier';
import { createWebhookEventHandlers } from '../webhook-apply.providers';

type Json = Record<string, unknown>;

const T0 = Date.parse('2026-11-05T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;

const user = (userId: string, reference = 'person-1', extra: Json = {}) => ({
  user_id: userId,
  provider: 'OURA',
  reference_id: reference,
  scopes: 'daily,sleep',
  last_webhook_update: null,
  active: true,
  ...extra,
});
const auth = (userId: string, reference = 'person-1') => ({ type: 'auth', status: 'success', user: user(userId, reference), reference_id: reference });
const daily = (userId: string, days: string[], reference = 'person-1') => ({
  type: 'daily',
  user: user(userId, reference),
  version: '2022-03-16',
  data: days.map((day) => ({ metadata: { start_time: `${day}T00:00:00+00:00`, end_time: `${day}T23:59:59+00:00` }, distance_data: { steps: 1234, distance_meters: 4321.75 } })),
});

/** The outbox and the feed over the real applier and the real API-side lifecycle, on real Postgres. */
describe('Events outbox (real Postgres)', () => {
  let db: TestDatabase;
  let writer: InboxWriter;
  let applier: WebhookEventApplier;
  let feed: EventFeedQuery;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('events_outbox');
    writer = new InboxWriter(db.dataSource);
    applier = new WebhookEventApplier(db.dataSource, createWebhookEventHandlers());
    feed = new EventFeedQuery(db.dataSource);
  });

  afterAll(async () => {
    await db.drop();
  });

  const store = (payload: unknown, orderingTimestampMs: number) => storeDelivery(writer, payload, { orderingTimestampMs });

  async function deliver(payload: unknown, orderingTimestampMs: number): Promise<string> {
    const id = await store(payload, orderingTimestampMs);
    await applier.apply(id, { attempt: 1, maxAttempts: 16 });
    return id;
  }

  async function everything(filter: { referenceId?: string; connectionId?: string; types?: string[] }): Promise<EventEnvelope[]> {
    const all: EventEnvelope[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await feed.page(filter, { limit: 2, cursor });
      all.push(...page.items.map(toEventEnvelope));
      if (page.items.length === 0) return all;
      cursor = page.nextCursor;
    }
  }

  const countEvents = async (reference: string) =>
    Number((await db.dataSource.query(`SELECT count(*) AS n FROM events WHERE reference_id = $1`, [reference]))[0].n);

  it('a rolled-back apply writes no event; the same apply committed writes exactly one per change', async () => {
    const id = randomUUID();
    const eventId = await store(auth(id, 'rollback-person'), at(0));
    // Fail the transaction at its very end (the row marked processed), after the state change and the outbox row.
    await db.dataSource.query(`CREATE FUNCTION tc_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await db.dataSource.query(`CREATE TRIGGER tc_test_fail BEFORE UPDATE ON webhook_events FOR EACH ROW
      WHEN (NEW.id = ${Number(eventId)} AND NEW.status = 'processed') EXECUTE FUNCTION tc_test_fail()`);
    await expect(applier.apply(eventId, { attempt: 1, maxAttempts: 16 })).rejects.toThrow('injected failure');
    expect(await countEvents('rollback-person')).toBe(0);
    expect(await db.dataSource.query(`SELECT 1 FROM terra_connections WHERE terra_user_id = $1`, [id])).toHaveLength(0);

    await db.dataSource.query(`DROP TRIGGER tc_test_fail ON webhook_events; DROP FUNCTION tc_test_fail()`);
    await applier.apply(eventId, { attempt: 2, maxAttempts: 16 });
    expect(await countEvents('rollback-person')).toBe(1);
    // A redelivery of the same state changes nothing, so it records nothing.
    await deliver(auth(id, 'rollback-person'), at(1));
    expect(await countEvents('rollback-person')).toBe(1);
  });

  it('a story (auth, data, reauth, connection_error, deauth): the expected types, increasing sequence, the feed in order', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const reference = 'story-person';
    await deliver({ type: 'auth', status: 'error', reason: 'user_denied', reference_id: reference, provider: 'OURA' }, at(0));
    await deliver(auth(first, reference), at(1));
    await deliver(daily(first, ['2026-11-03', '2026-11-04'], reference), at(2));
    await deliver({ type: 'user_reauth', status: 'warning', old_user: user(first, reference), new_user: user(second, reference) }, at(3));
    await deliver(auth(second, reference), at(4)); // the new id's own auth: already active, no event
    await deliver({ type: 'permission_change', status: 'warning', user: user(second, reference, { scopes: 'daily,heart' }) }, at(5));
    await deliver({ type: 'connection_error', status: 'warning', message: 'token expired', user: user(second, reference) }, at(6));
    await deliver(auth(second, reference), at(7));
    await deliver({ type: 'deauth', status: 'success', message: 'bye', user: user(second, reference, { active: false }) }, at(8));

    const events = await everything({ referenceId: reference });
    expect(events.map((event) => event.type)).toEqual([
      'connection.attempt_failed',
      'connection.connected',
      'data.received',
      'connection.reconnected',
      'connection.scopes_changed',
      'connection.errored',
      'connection.connected',
      'connection.disconnected',
    ]);
    const [failed, connected, data, reconnected, scopes, errored, back, disconnected] = events;
    expect(failed.data).toMatchObject({ connection_id: null, sequence: null, reference_id: reference, provider: 'OURA', reason: 'user_denied' });
    const connectionId = connected.data.connection_id as string;
    const ofConnection = events.slice(1);
    expect(ofConnection.every((event) => event.data.connection_id === connectionId)).toBe(true);
    expect(ofConnection.map((event) => event.data.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(connected.data).toMatchObject({ terra_user_id: first, previous_status: null, provider: 'OURA', reference_id: reference });
    expect(data.data).toMatchObject({ data_type: 'daily', count: 2, dates: ['2026-11-03', '2026-11-04'] });
    // No health values (a decimal, so no random id in the event can hold it by chance).
    expect(JSON.stringify(data)).not.toContain('4321.75');
    expect(reconnected.data).toMatchObject({ terra_user_id: second, previous_terra_user_id: first, previous_status: 'active', merged_connection_id: null });
    expect(scopes.data).toMatchObject({ added: ['heart'], removed: ['sleep'] });
    expect(errored.data).toMatchObject({ previous_status: 'active', reason: 'token expired' });
    expect(back.data).toMatchObject({ previous_status: 'error' });
    expect(disconnected.data).toMatchObject({ terra_user_id: second, disconnected_by: 'deauth', previous_status: 'active' });
    expect(events.map((event) => event.timestamp)).toEqual([0, 1, 2, 3, 5, 6, 7, 8].map((s) => new Date(at(s)).toISOString()));

    // The feed filtered by connection and type.
    const onlyData = await everything({ connectionId, types: ['data.received'] });
    expect(onlyData.map((event) => event.id)).toEqual([data.id]);
  });

  it("a reauth whose new id's auth came first: the new id's own connection is named in merged_connection_id", async () => {
    const [oldId, newId] = [randomUUID(), randomUUID()];
    const reference = 'merge-person';
    await deliver(auth(oldId, reference), at(0));
    await deliver(auth(newId, reference), at(4)); // Terra's auth for the new id, applied before the reauth
    await deliver({ type: 'user_reauth', status: 'warning', old_user: user(oldId, reference), new_user: user(newId, reference) }, at(3));
    const events = await everything({ referenceId: reference });
    expect(events.map((event) => event.type)).toEqual(['connection.connected', 'connection.connected', 'connection.reconnected']);
    const [first, own, reconnected] = events;
    expect(own.data.connection_id).not.toBe(first.data.connection_id);
    expect(reconnected.data).toMatchObject({
      connection_id: first.data.connection_id,
      terra_user_id: newId,
      previous_terra_user_id: oldId,
      merged_connection_id: own.data.connection_id,
      sequence: 2,
    });
  });

  it("the API's DELETE records connection.disconnected by api in its own transaction", async () => {
    const id = randomUUID();
    await deliver(auth(id, 'api-person'), at(0));
    const lifecycle = new ConnectionLifecycle(db.dataSource);
    await lifecycle.disconnect(id);
    await lifecycle.disconnect(id); // idempotent: no second event
    const events = await everything({ referenceId: 'api-person' });
    expect(events.map((event) => [event.type, event.data.sequence, event.data.disconnected_by ?? null])).toEqual([
      ['connection.connected', 1, null],
      ['connection.disconnected', 2, 'api'],
    ]);
  });

  it('the cursor is stable while events are added and tails: a transaction committing late is not skipped', async () => {
    const reference = `tail-${randomUUID()}`;
    const first = await feed.page({ referenceId: reference }, { limit: 10 });
    expect(first.items).toEqual([]);
    const tail = first.nextCursor;

    // A transaction takes its id first and commits last; another commits in between.
    const slow = db.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    await slow.query(`INSERT INTO events (type, occurred_at, reference_id, data) VALUES ('connection.connected', now(), $1, '{"n":1}')`, [reference]);
    await db.dataSource.query(`INSERT INTO events (type, occurred_at, reference_id, data) VALUES ('connection.connected', now(), $1, '{"n":2}')`, [reference]);
    const whileOpen = await feed.page({ referenceId: reference }, { limit: 10, cursor: tail });
    expect(whileOpen.items).toEqual([]); // n:2 waits behind the open transaction rather than being passed
    await slow.commitTransaction();
    await slow.release();

    const after = await feed.page({ referenceId: reference }, { limit: 1, cursor: whileOpen.nextCursor });
    expect(after.items.map((event) => event.data.n)).toEqual([1]);
    const rest = await feed.page({ referenceId: reference }, { limit: 10, cursor: after.nextCursor });
    expect(rest.items.map((event) => event.data.n)).toEqual([2]);
    const empty = await feed.page({ referenceId: reference }, { limit: 10, cursor: rest.nextCursor });
    expect(empty.items).toEqual([]);
    expect(empty.nextCursor).toEqual(expect.any(String));
    await db.dataSource.query(`INSERT INTO events (type, occurred_at, reference_id, data) VALUES ('data.received', now(), $1, '{"n":3}')`, [reference]);
    const next = await feed.page({ referenceId: reference }, { limit: 10, cursor: empty.nextCursor });
    expect(next.items.map((event) => event.data.n)).toEqual([3]);
  });

  it('rejects a tampered cursor', async () => {
    await expect(feed.page({}, { limit: 1, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow();
  });

  it('writes what docs/openapi.json promises: every event validates against its `webhooks` schema (JSON Schema 2020-12)', async () => {
    const reference = `schema-${randomUUID()}`;
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    await deliver({ type: 'auth', status: 'error', reason: 'user_denied', reference_id: reference, provider: 'OURA' }, at(0));
    await deliver(auth(first, reference), at(1));
    await deliver(daily(first, ['2026-11-03'], reference), at(2));
    await deliver({ type: 'user_reauth', status: 'warning', old_user: user(first, reference), new_user: user(second, reference) }, at(3));
    await deliver({ type: 'permission_change', status: 'warning', user: user(second, reference, { scopes: 'daily,heart' }) }, at(4));
    await deliver({ type: 'connection_error', status: 'warning', message: 'token expired', user: user(second, reference) }, at(5));
    await deliver({ type: 'access_revoked', status: 'warning', message: 'revoked', user: user(second, reference) }, at(6));
    await deliver(auth(third, reference), at(7));
    await deliver({ type: 'deauth', status: 'success', message: 'bye', user: user(third, reference, { active: false }) }, at(8));
    const events = await everything({ referenceId: reference });
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set([
        'connection.attempt_failed',
        'connection.connected',
        'data.received',
        'connection.reconnected',
        'connection.scopes_changed',
        'connection.errored',
        'connection.revoked',
        'connection.disconnected',
      ]),
    );

    const document = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8'));
    // Formats are annotations in 2020-12; `example` is an OpenAPI keyword ajv does not know.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const event of events) {
      const ref: string = document.webhooks[event.type].post.requestBody.content['application/json'].schema.$ref;
      const validate = ajv.compile(document.components.schemas[ref.split('/').pop() as string]);
      expect({ type: event.type, valid: validate(JSON.parse(JSON.stringify(event))), errors: validate.errors ?? null }).toEqual({
        type: event.type,
        valid: true,
        errors: null,
      });
    }
  });
});
