import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TerraClient } from 'terra-api';
import { loadConfig } from '@terra-connections/config';
import { TerraGateway, TerraWidgetSessionClient } from '@terra-connections/terra';
import { createTestDatabase, FakeTerraServer, testEnv, type TestDatabase } from '@terra-connections/testing';
import { ConnectionReconciler, NOT_FOUND_AT_TERRA_ON_RECONCILE } from './connection-reconciler';

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
});
