import { Terra } from 'terra-api';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness';

type Seeded = { users: { user_id: string; provider: string; reference_id: string | null }[] };

describe('Terra user and catalogue endpoints through the SDK', () => {
  let sandbox: SandboxHarness;
  let garmin: string;
  let fitbit: string;
  const reference = 'person/1 & #2 ✓';

  beforeAll(async () => {
    sandbox = await startSandbox();
    garmin = (await sandbox.control<Seeded>('POST', '/sandbox/users', { provider: 'GARMIN', reference_id: reference, webhooks: false })).body.users[0].user_id;
    fitbit = (await sandbox.control<Seeded>('POST', '/sandbox/users', { provider: 'FITBIT', reference_id: reference, webhooks: false })).body.users[0].user_id;
    await sandbox.control('POST', '/sandbox/users', { provider: 'OURA', count: 3, webhooks: false });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  describe('GET /userInfo', () => {
    it('by user_id answers {status, user, is_authenticated}', async () => {
      const info = await sandbox.terra.user.getinfoforuserid({ user_id: garmin });
      expect(info).toMatchObject({
        status: 'success',
        is_authenticated: true,
        user: { user_id: garmin, provider: 'GARMIN', reference_id: reference, active: true, last_webhook_update: null, scopes: expect.any(String) },
      });
    });

    it('by reference_id answers {status, users} with every connection of that person (URL-encoded)', async () => {
      const info = (await sandbox.terra.user.getinfoforuserid({ reference_id: reference })) as unknown as { status: string; users: Terra.TerraUser[] };
      expect(info.status).toBe('success');
      expect(info.users.map((u) => u.user_id).sort()).toEqual([garmin, fitbit].sort());
      const none = (await sandbox.terra.user.getinfoforuserid({ reference_id: 'nobody' })) as unknown as { users: unknown[] };
      expect(none.users).toEqual([]);
    });

    it('answers 400 with neither parameter and 404 for an unknown id', async () => {
      await expect(sandbox.terra.user.getinfoforuserid({})).rejects.toBeInstanceOf(Terra.BadRequestError);
      await expect(sandbox.terra.user.getinfoforuserid({ user_id: 'ghost' })).rejects.toBeInstanceOf(Terra.NotFoundError);
    });

    it('knows a pre-allocated authenticateUser id as not yet authenticated', async () => {
      const { user_id } = await sandbox.terra.authentication.authenticateuser({ resource: 'POLAR' });
      await expect(sandbox.terra.user.getinfoforuserid({ user_id: user_id as string })).resolves.toMatchObject({
        is_authenticated: false,
        user: { user_id, provider: 'POLAR', active: false },
      });
    });
  });

  describe('POST /bulkUserInfo', () => {
    it('returns the known users as a bare array and leaves unknown ids out', async () => {
      const users = await sandbox.terra.user.getinfoformultipleuserids([garmin, 'ghost', fitbit]);
      expect(users.map((u) => u.user_id)).toEqual([garmin, fitbit]);
    });

    it('answers 404 when no id is known and 400 for a body that is not an array', async () => {
      await expect(sandbox.terra.user.getinfoformultipleuserids(['ghost'])).rejects.toBeInstanceOf(Terra.NotFoundError);
      await expect(sandbox.terra.user.getinfoformultipleuserids({ ids: [] } as unknown as string[])).rejects.toBeInstanceOf(Terra.BadRequestError);
    });
  });

  describe('GET /subscriptions', () => {
    it('without page lists every user as {users}', async () => {
      const all = (await sandbox.terra.user.getalluserids()) as { users: Terra.TerraUser[] };
      expect(all.users.map((u) => u.user_id)).toEqual(expect.arrayContaining([garmin, fitbit]));
      expect(all.users.length).toBeGreaterThanOrEqual(5);
    });

    it('with page answers {data: {results, next, max_page}} and walks every user once', async () => {
      const all = (await sandbox.terra.user.getalluserids()) as { users: Terra.TerraUser[] };
      const seen: string[] = [];
      let page: number | undefined = 0;
      while (page !== undefined) {
        const { data } = (await sandbox.terra.user.getalluserids({ page, per_page: 2 })) as { data: { results: Terra.TerraUser[]; next: number | null; max_page: number } };
        expect(data.max_page).toBe(Math.ceil(all.users.length / 2) - 1);
        seen.push(...data.results.map((u) => u.user_id));
        page = data.next ?? undefined;
      }
      expect(seen).toEqual(all.users.map((u) => u.user_id));
    });

    it('answers 400 for a malformed page', async () => {
      await expect(sandbox.terra.user.getalluserids({ page: -1 })).rejects.toBeInstanceOf(Terra.BadRequestError);
    });
  });

  describe('PATCH /users/{id}', () => {
    it('updates reference_id and active, and answers 400 (not 404) for an unknown user', async () => {
      const result = await sandbox.terra.user.modifyuser(garmin, { reference_id: 'moved', active: false });
      expect(result).toMatchObject({ status: 'success', user: { user_id: garmin, reference_id: 'moved', active: false } });
      const moved = (await sandbox.terra.user.getinfoforuserid({ reference_id: 'moved' })) as unknown as { users: Terra.TerraUser[] };
      expect(moved.users.map((u) => u.user_id)).toEqual([garmin]);
      await expect(sandbox.terra.user.modifyuser('ghost', { active: true })).rejects.toBeInstanceOf(Terra.BadRequestError);
    });
  });

  describe('integrations', () => {
    it('GET /integrations lists OAuth providers and SDK resources', async () => {
      const result = await sandbox.terra.integrations.fetch();
      expect(result.status).toBe('success');
      expect(result.providers?.length).toBeGreaterThanOrEqual(140);
      expect(result.providers).toEqual(expect.arrayContaining(['GARMIN', 'FITBIT', 'OURA', 'WHOOP', 'DEXCOM', 'FREESTYLELIBRE', 'STRAVA']));
      expect(result.sdk_resource?.sort()).toEqual(['APPLE', 'HEALTH_CONNECT', 'SAMSUNG']);
    });

    it('GET /integrations/detailed has names, enabled flags and types; sdk=true adds SDK sources', async () => {
      const detailed = await sandbox.terra.integrations.detailedfetch();
      const garminInfo = detailed.providers?.find((p) => p.provider === 'GARMIN');
      expect(garminInfo).toMatchObject({ name: 'Garmin', enabled: true, setup: 'oauth', types: { activity: true, sleep: true, nutrition: false } });
      expect((await fetch(garminInfo?.icon as string)).headers.get('content-type')).toContain('image/svg+xml');
      expect(detailed.providers?.some((p) => p.provider === 'APPLE')).toBe(false);
      const withSdk = await sandbox.terra.integrations.detailedfetch({ sdk: true });
      expect(withSdk.providers?.some((p) => p.provider === 'APPLE')).toBe(true);
      expect(withSdk.providers?.length).toBeGreaterThanOrEqual(150);
    });

    it('without a dev-id lists disabled providers too', async () => {
      const anonymous = (await (await fetch(`${sandbox.baseUrl}/v2/integrations/detailed?sdk=true`)).json()) as Terra.IntegrationsResponse;
      const jawbone = anonymous.providers?.find((p) => p.provider === 'JAWBONE');
      expect(jawbone).toMatchObject({ enabled: false });
    });
  });
});
