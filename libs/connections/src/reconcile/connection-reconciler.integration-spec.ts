import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TerraClient } from 'terra-api';
import { loadConfig } from '@terra-connections/config';
import { TerraGateway, TerraWidgetSessionClient } from '@terra-connections/terra';
import { createTestDatabase, FakeTerraServer, testEnv, type TestDatabase } from '@terra-connections/testing';
import { ConnectionReconciler, INACTIVE_AT_TERRA_ON_RECONCILE, NOT_FOUND_AT_TERRA_ON_RECONCILE } from './connection-reconciler';

/** The reconciler over the real gateway and SDK, against a stand-in Terra. */
describe('ConnectionReconciler', () => {
  let db: TestDatabase;
  let terra: FakeTerraServer;
  let reconciler: ConnectionReconciler;
  let gateway: TerraGateway;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('reconciler');
    terra = await FakeTerraServer.start();
    const config = loadConfig(testEnv({ TERRA_API_URL: terra.baseUrl, TERRA_DEV_ID: terra.devId, TERRA_API_KEY: terra.apiKey }));
    gateway = new TerraGateway(
      new TerraClient({ baseUrl: config.TERRA_API_URL, devId: config.TERRA_DEV_ID, apiKey: config.TERRA_API_KEY }),
      new TerraWidgetSessionClient(config),
      config,
    );
    reconciler = new ConnectionReconciler(db.dataSource, gateway);
  });

  afterAll(async () => {
    await terra?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    terra.reset();
    await db.dataSource.query('DELETE FROM terra_connections');
    await db.dataSource.query('DELETE FROM connection_drift');
    await db.dataSource.query('DELETE FROM events');
    await db.dataSource.query('DELETE FROM connection_attempts');
  });

  const insert = (terraUserId: string, status: string, statusChangedAt: string | null = null) =>
    db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, provider, status, status_changed_at, created_at) VALUES ($1, 'GARMIN', $2, $3, now() - interval '1 minute')`,
      [terraUserId, status, statusChangedAt],
    );
  const status = async (terraUserId: string) =>
    (await db.dataSource.query(`SELECT status, status_reason FROM terra_connections WHERE terra_user_id = $1`, [terraUserId]))[0];

  it('disconnects live connections Terra no longer has and creates the ones we never heard of', async () => {
    const [kept, gone, errored, replaced] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await insert(kept, 'active');
    await insert(gone, 'active');
    await insert(errored, 'error');
    await insert(replaced, 'replaced');
    terra.addUser({ user_id: kept, provider: 'GARMIN' });
    const unknown = terra.addUser({ provider: 'OURA', reference_id: 'ref-9', scopes: 'daily, sleep' });

    const result = await reconciler.reconcile();
    expect(result).toMatchObject({ terraUsers: 2, created: [unknown.user_id], disconnectsWithheld: false });
    expect(result.disconnected.sort()).toEqual([gone, errored].sort());
    expect(await status(kept)).toEqual({ status: 'active', status_reason: null });
    expect(await status(gone)).toEqual({ status: 'disconnected', status_reason: NOT_FOUND_AT_TERRA_ON_RECONCILE });
    expect(await status(replaced)).toEqual({ status: 'replaced', status_reason: null });
    const [created] = await db.dataSource.query(`SELECT * FROM terra_connections WHERE terra_user_id = $1`, [unknown.user_id]);
    expect(created).toMatchObject({ status: 'active', provider: 'OURA', reference_id: 'ref-9', scopes: ['daily', 'sleep'] });

    expect(await reconciler.reconcile()).toMatchObject({ disconnected: [], created: [] });
  });

  it('leaves a connection whose state changed after Terra was asked (a webhook won the race)', async () => {
    const fresh = randomUUID();
    await insert(fresh, 'active', new Date(Date.now() + 60_000).toISOString());
    terra.addUser({ provider: 'GARMIN' });
    expect((await reconciler.reconcile()).disconnected).toEqual([]);
    expect((await status(fresh)).status).toBe('active');
  });

  it('withholds disconnects when Terra lists nobody while we have live connections', async () => {
    const id = randomUUID();
    await insert(id, 'active');
    expect(await reconciler.reconcile()).toMatchObject({ terraUsers: 0, disconnectsWithheld: true, disconnected: [] });
    expect((await status(id)).status).toBe('active');
  });

  it('confirms each disconnect with userInfo: a user the listing skipped (pages shifted mid-walk) stays active', async () => {
    const [skipped, gone] = [randomUUID(), randomUUID()];
    await insert(skipped, 'active');
    await insert(gone, 'active');
    terra.addUser({ user_id: skipped, provider: 'GARMIN' });
    const other = terra.addUser({ provider: 'OURA' });
    // A listing that misses `skipped`, as an offset page shifted by a deletion would.
    const shifted = new ConnectionReconciler(db.dataSource, {
      listAllUsers: async () => (await gateway.listAllUsers()).filter((user) => user.user_id !== skipped),
      getUser: (userId) => gateway.getUser(userId),
    });

    const result = await shifted.reconcile();

    expect(result.disconnected).toEqual([gone]);
    expect(await status(skipped)).toEqual({ status: 'active', status_reason: null });
    expect(await status(gone)).toEqual({ status: 'disconnected', status_reason: NOT_FOUND_AT_TERRA_ON_RECONCILE });
    expect(terra.requestsTo('userInfo').map((r) => r.query.user_id).sort()).toEqual([skipped, gone].sort());
    expect(result.created).toEqual([other.user_id]);
  });

  it('creates a user Terra reports inactive as error (reconnect needed), not active', async () => {
    const inactive = terra.addUser({ provider: 'FITBIT', active: false });
    await reconciler.reconcile();
    expect((await status(inactive.user_id)).status).toBe('error');
  });

  describe('drift, counted', () => {
    const driftRows = async () =>
      db.dataSource.query(`SELECT kind, terra_user_id, connection_id, ours, terra FROM connection_drift ORDER BY id`);
    const eventsOf = async (terraUserId: string) =>
      (await db.dataSource.query(`SELECT type, data FROM events WHERE terra_user_id = $1 ORDER BY sequence`, [terraUserId])).map(
        (row: { type: string; data: Record<string, unknown> }) => ({ type: row.type, ...row.data }),
      );
    const connectionIdOf = async (terraUserId: string) =>
      (await db.dataSource.query(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [terraUserId]))[0].connection_id;

    it('a missed deauth: disconnected, one drift row, and the connection.disconnected a deauth would have caused', async () => {
      const gone = randomUUID();
      await insert(gone, 'active');
      terra.addUser({ provider: 'GARMIN' });
      const result = await reconciler.reconcile();
      expect(result.drift).toMatchObject({ missed_deauth: 1 });
      const [row] = (await driftRows()).filter((drift: { kind: string }) => drift.kind === 'missed_deauth');
      expect(row).toEqual({ kind: 'missed_deauth', terra_user_id: gone, connection_id: await connectionIdOf(gone), ours: { status: 'active' }, terra: null });
      expect(await eventsOf(gone)).toEqual([
        expect.objectContaining({ type: 'connection.disconnected', previous_status: 'active', reason: NOT_FOUND_AT_TERRA_ON_RECONCILE }),
      ]);
      // Nothing left to correct: a second run records nothing more.
      await reconciler.reconcile();
      expect((await driftRows()).filter((drift: { kind: string }) => drift.kind === 'missed_deauth')).toHaveLength(1);
    });

    it('a missed auth settles the attempt it answers; a Terra user no attempt of ours asked for is an unknown user; both connection.connected', async () => {
      await db.dataSource.query(
        `INSERT INTO connection_attempts (kind, reference_id, providers, status) VALUES ('widget', 'person-missed', '{OURA}', 'pending')`,
      );
      const missed = terra.addUser({ provider: 'OURA', reference_id: 'person-missed' });
      const stranger = terra.addUser({ provider: 'POLAR', reference_id: 'someone-else' });
      const result = await reconciler.reconcile();
      expect(result.drift).toEqual({ missed_auth: 1, unknown_terra_user: 1 });
      const rows = await driftRows();
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'missed_auth', terra_user_id: missed.user_id, ours: null, terra: expect.objectContaining({ reference_id: 'person-missed' }) }),
          expect.objectContaining({ kind: 'unknown_terra_user', terra_user_id: stranger.user_id, ours: null }),
        ]),
      );
      expect(await db.dataSource.query(`SELECT status, terra_user_id FROM connection_attempts WHERE reference_id = 'person-missed'`)).toEqual([
        { status: 'succeeded', terra_user_id: missed.user_id },
      ]);
      for (const id of [missed.user_id, stranger.user_id]) {
        expect(await eventsOf(id)).toEqual([expect.objectContaining({ type: 'connection.connected', previous_status: null })]);
      }
    });

    it('a status mismatch (a missed connection_error) and a reference mismatch: corrected, one row each, connection.errored for the first', async () => {
      const [inactive, renamed, errored] = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of [inactive, renamed, errored]) await insert(id, id === errored ? 'error' : 'active');
      await db.dataSource.query(`UPDATE terra_connections SET reference_id = 'old-ref' WHERE terra_user_id = $1`, [renamed]);
      terra.addUser({ user_id: inactive, provider: 'GARMIN', active: false });
      terra.addUser({ user_id: renamed, provider: 'GARMIN', reference_id: 'new-ref' });
      // Terra keeps `active` true after a provider stops: an errored connection it calls active is no drift.
      terra.addUser({ user_id: errored, provider: 'GARMIN', active: true });

      const result = await reconciler.reconcile();
      expect(result.drift).toEqual({ status_mismatch: 1, reference_mismatch: 1 });
      expect(result.corrected.sort()).toEqual([inactive, renamed].sort());
      expect(await status(inactive)).toEqual({ status: 'error', status_reason: INACTIVE_AT_TERRA_ON_RECONCILE });
      expect(await eventsOf(inactive)).toEqual([expect.objectContaining({ type: 'connection.errored', previous_status: 'active' })]);
      expect((await db.dataSource.query(`SELECT reference_id FROM terra_connections WHERE terra_user_id = $1`, [renamed]))[0].reference_id).toBe('new-ref');
      expect(await eventsOf(renamed)).toEqual([]);
      expect(await driftRows()).toEqual([
        expect.objectContaining({ kind: 'status_mismatch', terra_user_id: inactive, ours: { status: 'active', reference_id: null } }),
        expect.objectContaining({ kind: 'reference_mismatch', terra_user_id: renamed, ours: { status: 'active', reference_id: 'old-ref' } }),
      ]);
      expect((await reconciler.reconcile()).drift).toEqual({});
    });
  });
});
