import { randomUUID } from 'node:crypto';
import { AttemptKind, AttemptStatus, ConnectionStatus } from '@terra-connections/persistence';
import { createTestDatabase, waitFor, type TestDatabase } from '@terra-connections/testing';
import type { ConnectionChangeCause } from './connection-change';
import { ConnectionStateTx, type ConnectionGrant } from './connection-state.tx';
import { INACTIVE_AT_TERRA, NOT_FOUND_AT_TERRA } from './terra-refresh';
import { withConnectionState } from './with-connection-state';

const T0 = Date.parse('2026-01-10T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const webhook = (eventType: string): ConnectionChangeCause => ({ kind: 'webhook', eventId: '42', eventType });

/** The state module on its own: what each operation writes, and the ConnectionChange it reports. */
describe('ConnectionStateTx (real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('connection_state');
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Runs `work` in one transaction, as the applier does; returns what it returned and the changes collected. */
  async function inTx<T>(cause: ConnectionChangeCause, work: (state: ConnectionStateTx) => Promise<T>) {
    return db.dataSource.transaction(async (tx) => {
      const state = new ConnectionStateTx(tx, cause);
      const result = await work(state);
      return { result, changes: [...state.changes] };
    });
  }

  const grant = (terraUserId: string, scopes: string[] | null = ['a', 'b']): ConnectionGrant => ({
    terraUserId,
    provider: 'GARMIN',
    referenceId: 'person-1',
    scopes,
  });
  /** The connection a new id starts: named after the id (tc_connection_uuid). */
  const connectionIdOf = async (terraUserId: string): Promise<string> =>
    (await db.dataSource.query(`SELECT tc_connection_uuid($1) AS id`, [terraUserId]))[0].id;

  const row = async (terraUserId: string) =>
    (await db.dataSource.query(`SELECT * FROM terra_connections WHERE terra_user_id = $1`, [terraUserId]))[0];

  it('activate: a new id is a change from null, with its scopes; a newer copy of the same state is no change', async () => {
    const id = randomUUID();
    const first = await inTx(webhook('auth'), (state) => state.activate(grant(id), at(0)));
    expect(first.changes).toEqual([
      { connectionId: await connectionIdOf(id), terraUserId: id, from: null, to: 'active', cause: webhook('auth'), at: at(0), reason: null, scopes: { before: null, after: ['a', 'b'] } },
    ]);
    expect(first.result).toEqual(first.changes[0]);
    expect(await row(id)).toMatchObject({ status: 'active', provider: 'GARMIN', reference_id: 'person-1', connected_at: at(0) });

    const again = await inTx(webhook('auth'), (state) => state.activate(grant(id, ['b', 'a']), at(5)));
    expect(again).toEqual({ result: null, changes: [] });
    expect((await row(id)).status_changed_at).toEqual(at(5));
  });

  it('markError, then an older event: the older one writes nothing and reports no change', async () => {
    const id = randomUUID();
    await inTx(webhook('auth'), (state) => state.activate(grant(id), at(0)));
    const degraded = await inTx(webhook('connection_error'), (state) => state.markError(grant(id), 'degraded', at(10)));
    expect(degraded.changes).toEqual([{ connectionId: await connectionIdOf(id), terraUserId: id, from: 'active', to: 'error', cause: webhook('connection_error'), at: at(10), reason: 'degraded' }]);

    const older = await inTx(webhook('auth'), (state) => state.activate(grant(id, ['c']), at(5)));
    expect(older).toEqual({ result: null, changes: [] });
    expect(await row(id)).toMatchObject({ status: 'error', status_reason: 'degraded', scopes: ['a', 'b'] });

    const back = await inTx(webhook('auth'), (state) => state.activate(grant(id), at(11)));
    expect(back.changes).toMatchObject([{ from: 'error', to: 'active', reason: null }]);
  });

  it('changeScopes: before and after scopes, status unchanged; an older change is no change', async () => {
    const id = randomUUID();
    await inTx(webhook('auth'), (state) => state.activate(grant(id), at(0)));
    const changed = await inTx(webhook('permission_change'), (state) => state.changeScopes(id, ['a', 'c'], at(20)));
    expect(changed.changes).toEqual([
      { connectionId: await connectionIdOf(id), terraUserId: id, from: 'active', to: 'active', cause: webhook('permission_change'), at: at(20), reason: null, scopes: { before: ['a', 'b'], after: ['a', 'c'] } },
    ]);
    expect(await inTx(webhook('permission_change'), (state) => state.changeScopes(id, ['old'], at(10)))).toEqual({ result: null, changes: [] });
    expect(await row(id)).toMatchObject({ scopes: ['a', 'c'], scopes_changed_at: at(20) });
  });

  it('disconnect (deauth): ended stays ended; revoke still says more; at equal times the ended state wins', async () => {
    const id = randomUUID();
    await inTx(webhook('auth'), (state) => state.activate(grant(id), at(30)));
    const ended = await inTx(webhook('deauth'), (state) => state.disconnect(grant(id), 'deauthenticated', at(30)));
    expect(ended.changes).toEqual([{ connectionId: await connectionIdOf(id), terraUserId: id, from: 'active', to: 'disconnected', cause: webhook('deauth'), at: at(30), reason: 'deauthenticated' }]);
    expect((await row(id)).disconnected_at).toEqual(at(30));

    expect((await inTx(webhook('auth'), (state) => state.activate(grant(id), at(60)))).changes).toEqual([]);
    expect((await inTx(webhook('deauth'), (state) => state.disconnect(grant(id), 'again', at(61)))).changes).toEqual([]);
    const revoked = await inTx(webhook('access_revoked'), (state) => state.revoke(grant(id), 'revoked', at(62)));
    expect(revoked.changes).toMatchObject([{ from: 'disconnected', to: 'revoked', reason: 'revoked', at: at(62) }]);
  });

  it('disconnect of an id never seen leaves a tombstone (a change from null), so the late auth is no change', async () => {
    const id = randomUUID();
    const tombstone = await inTx(webhook('deauth'), (state) => state.disconnect(grant(id), 'deauthenticated', at(20)));
    expect(tombstone.changes).toMatchObject([{ from: null, to: 'disconnected' }]);
    expect((await inTx(webhook('auth'), (state) => state.activate(grant(id), at(10)))).changes).toEqual([]);
  });

  it('endFailedAuth: ends a live row, never creates one, never touches an ended one', async () => {
    const [live, unknown] = [randomUUID(), randomUUID()];
    await inTx(webhook('auth'), (state) => state.activate(grant(live), at(0)));
    const failed = await inTx(webhook('auth'), (state) => state.endFailedAuth(live, 'authentication failed: access_denied', at(5)));
    expect(failed.changes).toEqual([
      { connectionId: await connectionIdOf(live), terraUserId: live, from: 'active', to: 'disconnected', cause: webhook('auth'), at: at(5), reason: 'authentication failed: access_denied' },
    ]);
    expect((await inTx(webhook('auth'), (state) => state.endFailedAuth(live, 'again', at(9)))).changes).toEqual([]);
    expect((await inTx(webhook('auth'), (state) => state.endFailedAuth(unknown, 'x', at(9)))).changes).toEqual([]);
    expect(await row(unknown)).toBeUndefined();
  });

  it('replace (reauth): old -> replaced and new -> active, in id order, the new id inheriting the stored reference and joining the old id\'s connection', async () => {
    const [oldId, newId] = [`b-${randomUUID()}`, `a-${randomUUID()}`];
    await inTx(webhook('auth'), (state) => state.activate({ ...grant(oldId), referenceId: 'ref-old', provider: 'OURA' }, at(0)));
    const { changes } = await inTx(webhook('user_reauth'), (state) =>
      state.replace({ terraUserId: newId, provider: null, referenceId: null, scopes: ['s'] }, { terraUserId: oldId, provider: null, referenceId: null }, at(10)),
    );
    const connectionId = await connectionIdOf(oldId);
    expect(changes).toEqual([
      { connectionId, terraUserId: newId, from: null, to: 'active', cause: webhook('user_reauth'), at: at(10), reason: null, scopes: { before: null, after: ['s'] } },
      { connectionId, terraUserId: oldId, from: 'active', to: 'replaced', cause: webhook('user_reauth'), at: at(10), reason: `reauthenticated as ${newId}` },
    ]);
    expect(await row(newId)).toMatchObject({ reference_id: 'ref-old', provider: 'OURA' });
    expect(await row(oldId)).toMatchObject({ replaced_by: newId, connection_id: connectionId, is_current: false });
    expect(await row(newId)).toMatchObject({ connection_id: connectionId, is_current: true });

    const lone = randomUUID();
    expect((await inTx(webhook('user_reauth'), (state) => state.replace(grant(lone), null, at(10)))).changes).toMatchObject([
      { terraUserId: lone, from: null, to: 'active' },
    ]);
  });

  it('disconnectViaApi: disconnected now, whatever the stored time; a second DELETE is no change', async () => {
    const id = randomUUID();
    await inTx(webhook('auth'), (state) => state.activate(grant(id), new Date(Date.now() + 3_600_000)));
    const before = Date.now();
    const { changes } = await inTx({ kind: 'api' }, (state) => state.disconnectViaApi(id, 'disconnected via API'));
    expect(changes).toEqual([{ connectionId: await connectionIdOf(id), terraUserId: id, from: 'active', to: 'disconnected', cause: { kind: 'api' }, at: expect.any(Date), reason: 'disconnected via API' }]);
    expect(Math.abs(changes[0].at.getTime() - before)).toBeLessThan(60_000);
    expect((await inTx({ kind: 'api' }, (state) => state.disconnectViaApi(id, 'disconnected via API'))).changes).toEqual([]);
  });

  it('refreshFromTerra: inactive -> error, gone -> disconnected, provider-only corrections are written but no change', async () => {
    const id = randomUUID();
    await inTx(webhook('auth'), (state) => state.activate(grant(id), at(0)));
    const now = new Date('2026-02-01T00:00:00Z');
    const terraUser = { user_id: id, provider: 'garmin', reference_id: 'person-1', scopes: 'a,b', active: true };

    const same = await inTx({ kind: 'refresh' }, (state) => state.refreshFromTerra(id, { ...terraUser, provider: 'polar' }, now));
    expect(same.changes).toEqual([]);
    expect((await row(id)).provider).toBe('POLAR');

    const inactive = await inTx({ kind: 'refresh' }, (state) => state.refreshFromTerra(id, { ...terraUser, active: false, scopes: 'a' }, now));
    expect(inactive.changes).toEqual([
      { connectionId: await connectionIdOf(id), terraUserId: id, from: 'active', to: 'error', cause: { kind: 'refresh' }, at: now, reason: INACTIVE_AT_TERRA, scopes: { before: ['a', 'b'], after: ['a'] } },
    ]);

    const gone = await inTx({ kind: 'refresh' }, (state) => state.refreshFromTerra(id, null, now));
    expect(gone.changes).toMatchObject([{ from: 'error', to: 'disconnected', reason: NOT_FOUND_AT_TERRA }]);
    // An ended row keeps its status whatever Terra says (scopes still follow Terra's answer).
    const ended = await inTx({ kind: 'refresh' }, (state) => state.refreshFromTerra(id, { ...terraUser, scopes: 'a', active: true }, now));
    expect(ended.changes).toEqual([]);
    expect((await row(id)).status).toBe('disconnected');
  });

  it('reconciliation: createIfUnknown is a change from null once; disconnectMissing only replaces older state', async () => {
    const [created, missing, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    const newConnection = { ...grant(created), provider: 'FITBIT', status: ConnectionStatus.Active, reason: 'created by reconciliation', since: at(0) };
    const first = await inTx({ kind: 'reconcile' }, (state) => state.createIfUnknown(newConnection));
    expect(first.changes).toEqual([
      { connectionId: await connectionIdOf(created), terraUserId: created, from: null, to: 'active', cause: { kind: 'reconcile' }, at: at(0), reason: 'created by reconciliation', scopes: { before: null, after: ['a', 'b'] } },
    ]);
    expect((await inTx({ kind: 'reconcile' }, (state) => state.createIfUnknown(newConnection))).changes).toEqual([]);

    await inTx(webhook('auth'), (state) => state.activate(grant(missing), at(0)));
    await inTx(webhook('auth'), (state) => state.activate(grant(fresh), at(100)));
    const gone = await inTx({ kind: 'reconcile' }, (state) => state.disconnectMissing(missing, 'not found', at(50)));
    expect(gone.changes).toEqual([{ connectionId: await connectionIdOf(missing), terraUserId: missing, from: 'active', to: 'disconnected', cause: { kind: 'reconcile' }, at: at(50), reason: 'not found' }]);
    expect((await inTx({ kind: 'reconcile' }, (state) => state.disconnectMissing(fresh, 'not found', at(50)))).changes).toEqual([]);
    expect((await row(fresh)).status).toBe('active');
  });

  it('touchOnDataArrival and stampLastWebhook move timestamps only: the status comes back, no change is collected', async () => {
    const [id, unknown] = [randomUUID(), randomUUID()];
    await inTx(webhook('auth'), (state) => state.activate(grant(id), at(0)));
    const touched = await inTx(webhook('daily'), (state) => state.touchOnDataArrival(id, at(5)));
    expect(touched).toEqual({ result: 'active', changes: [] });
    expect(await inTx(webhook('daily'), (state) => state.touchOnDataArrival(unknown, at(5)))).toEqual({ result: null, changes: [] });
    expect(await inTx(webhook('healthcheck'), (state) => state.stampLastWebhook(id, at(3)))).toEqual({ result: undefined, changes: [] });
    expect(await row(id)).toMatchObject({ last_sync_at: at(5), last_webhook_at: at(5) });

    await inTx(webhook('deauth'), (state) => state.disconnect(grant(id), 'deauthenticated', at(6)));
    expect((await inTx(webhook('daily'), (state) => state.touchOnDataArrival(id, at(7)))).result).toBe('disconnected');
    expect(await row(id)).toMatchObject({ last_sync_at: at(5), last_webhook_at: at(7) });
  });

  it('settleAttempt answers the pending attempt of the session', async () => {
    const session = randomUUID();
    const [{ id }] = await db.dataSource.query(
      `INSERT INTO connection_attempts (kind, session_id, reference_id) VALUES ('widget', $1, 'person-1') RETURNING id`,
      [session],
    );
    const settled = await inTx(webhook('auth'), (state) =>
      state.settleAttempt({
        status: AttemptStatus.Succeeded,
        reason: null,
        terraUserId: 'u-settled',
        provider: 'GARMIN',
        referenceId: 'person-1',
        sessionId: session,
        fallbackKinds: [AttemptKind.Mobile],
      }),
    );
    expect(settled).toEqual({ result: id, changes: [] });
  });

  it('settleAttempt tries the session, then the pre-allocated user id, then (without a session) the newest pending attempt of the reference, and settles one way only', async () => {
    const reference = `person-${randomUUID()}`;
    const userId = randomUUID();
    const insert = async (kind: AttemptKind, values: { session?: string; terraUserId?: string; status?: AttemptStatus; providers?: string[] }) =>
      (
        await db.dataSource.query(
          `INSERT INTO connection_attempts (kind, session_id, terra_user_id, reference_id, status, providers) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [kind, values.session ?? null, values.terraUserId ?? null, reference, values.status ?? AttemptStatus.Pending, values.providers ?? []],
        )
      )[0].id as string;
    const statuses = async () =>
      Object.fromEntries(
        (await db.dataSource.query(`SELECT id, status FROM connection_attempts WHERE reference_id = $1`, [reference])).map(
          (attempt: { id: string; status: string }) => [attempt.id, attempt.status],
        ),
      );
    const settle = (outcome: { status?: AttemptStatus.Succeeded | AttemptStatus.Failed; sessionId?: string | null; terraUserId?: string | null; provider?: string }) =>
      inTx(webhook('auth'), (state) =>
        state.settleAttempt({
          status: outcome.status ?? AttemptStatus.Succeeded,
          reason: outcome.status === AttemptStatus.Failed ? 'no' : null,
          terraUserId: outcome.terraUserId === undefined ? userId : outcome.terraUserId,
          provider: outcome.provider ?? 'GARMIN',
          referenceId: reference,
          sessionId: outcome.sessionId ?? null,
          fallbackKinds: [AttemptKind.Mobile],
        }),
      );

    const session = randomUUID();
    const widget = await insert(AttemptKind.Widget, { session });
    const direct = await insert(AttemptKind.Direct, { terraUserId: userId });
    const mobile = await insert(AttemptKind.Mobile, {});
    // No session: the pre-allocated user id still comes before the reference's pending mobile attempt.
    const otherUser = randomUUID();
    const otherDirect = await insert(AttemptKind.Direct, { terraUserId: otherUser });
    expect((await settle({ terraUserId: otherUser })).result).toBe(otherDirect);
    expect(await statuses()).toEqual({ [widget]: 'pending', [direct]: 'pending', [mobile]: 'pending', [otherDirect]: 'succeeded' });
    // The session wins over the direct attempt of the same user; nothing else moves.
    expect((await settle({ sessionId: session })).result).toBe(widget);
    expect(await statuses()).toEqual({ [widget]: 'succeeded', [direct]: 'pending', [mobile]: 'pending', [otherDirect]: 'succeeded' });
    // An unknown session falls to the pre-allocated user id, never to the reference.
    expect((await settle({ sessionId: randomUUID() })).result).toBe(direct);
    expect(await statuses()).toEqual({ [widget]: 'succeeded', [direct]: 'succeeded', [mobile]: 'pending', [otherDirect]: 'succeeded' });
    expect((await settle({ sessionId: randomUUID(), terraUserId: randomUUID() })).result).toBeNull();
    expect((await statuses())[mobile]).toBe('pending');
    // A late failure settles no attempt that succeeded.
    expect((await settle({ status: AttemptStatus.Failed, sessionId: session })).result).toBeNull();
    // No session, no direct attempt: the newest pending attempt of the reference, of a kind and provider it may pick.
    const newerElsewhere = await insert(AttemptKind.Mobile, { providers: ['OURA'] });
    expect((await settle({ terraUserId: randomUUID() })).result).toBe(mobile);
    expect(await statuses()).toEqual({
      [widget]: 'succeeded',
      [direct]: 'succeeded',
      [mobile]: 'succeeded',
      [otherDirect]: 'succeeded',
      [newerElsewhere]: 'pending',
    });
    expect((await settle({ terraUserId: randomUUID() })).result).toBeNull();
  });

  it('erase: health data up to a time and the processed inbox bodies, keeping the asking row', async () => {
    const id = randomUUID();
    for (const [key, eventAt] of [['old', at(0)], ['new', at(20)]] as const) {
      await db.dataSource.query(
        `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, payload, event_at) VALUES (tc_connection_uuid($1), $1, 'daily', $2, '{}', $3)`,
        [id, key, eventAt],
      );
    }
    const inbox = async (dedupKey: string, status: string) =>
      (
        await db.dataSource.query(
          `INSERT INTO webhook_events (dedup_key, type, terra_user_id, event_at, payload, status) VALUES ($1, 'daily', $2, now(), '{"data":[1]}', $3) RETURNING id`,
          [dedupKey, id, status],
        )
      )[0].id as string;
    const [processed, kept, pending] = [await inbox(randomUUID(), 'processed'), await inbox(randomUUID(), 'processed'), await inbox(randomUUID(), 'pending')];

    await inTx(webhook('access_revoked'), (state) => state.erase(id, { upTo: at(10), keepEventId: kept }));

    expect(await db.dataSource.query(`SELECT data_key FROM health_data WHERE terra_user_id = $1`, [id])).toEqual([{ data_key: 'new' }]);
    const payloads = await db.dataSource.query(`SELECT id, payload FROM webhook_events WHERE terra_user_id = $1 ORDER BY id`, [id]);
    expect(payloads).toEqual([
      { id: processed, payload: {} },
      { id: kept, payload: { data: [1] } },
      { id: pending, payload: { data: [1] } },
    ]);
  });

  it('collects every change of one transaction in order, and withConnectionState takes the Terra user\'s lock first', async () => {
    const id = randomUUID();
    const both = await inTx(webhook('auth'), async (state) => {
      await state.activate(grant(id), at(0));
      await state.markError(grant(id), 'degraded', at(1));
    });
    expect(both.changes.map((change) => [change.from, change.to])).toEqual([
      [null, 'active'],
      ['active', 'error'],
    ]);

    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [id]);
    try {
      const disconnecting = withConnectionState(db.dataSource, id, { kind: 'api' }, (state) => state.disconnectViaApi(id, 'disconnected via API'), {
        onConnectBackfills: true,
      });
      await waitFor(async () => (await db.dataSource.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).length > 0, {
        describe: 'the disconnect to wait for the user lock',
      });
      expect((await row(id)).status).toBe('error');
      await holder.commitTransaction();
      expect(await disconnecting).toMatchObject([{ connectionId: await connectionIdOf(id), terraUserId: id, from: 'error', to: 'disconnected', cause: { kind: 'api' } }]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });
});
