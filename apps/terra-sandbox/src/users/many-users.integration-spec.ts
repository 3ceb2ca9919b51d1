import { Terra } from 'terra-api';
import { formAction, startSandbox, submitForm, waitFor, type SandboxHarness } from '../testing/sandbox-harness';

type Seeded = { count: number; users: { user_id: string; reference_id: string }[] };

/** Thousands of users and more deliveries than the log keeps: lookups still answer correctly. */
describe('the sandbox with thousands of users', () => {
  let sandbox: SandboxHarness;
  let seeded: Seeded['users'];

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_LOG_LIMIT: '100' });
    const { body } = await sandbox.control<Seeded>('POST', '/sandbox/users', { provider: 'GARMIN', count: 5000, reference_id_prefix: 'bulk-', webhooks: false });
    seeded = body.users;
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('seeds 5000 users and finds any of them by id and by reference_id', async () => {
    expect(seeded).toHaveLength(5000);
    const target = seeded[4321];
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: target.user_id })).resolves.toMatchObject({ user: { reference_id: 'bulk-4321' } });
    const byRef = (await sandbox.terra.user.getinfoforuserid({ reference_id: 'bulk-4321' })) as unknown as { users: Terra.TerraUser[] };
    expect(byRef.users.map((u) => u.user_id)).toEqual([target.user_id]);
    const bulk = await sandbox.terra.user.getinfoformultipleuserids(seeded.slice(1000, 1500).map((u) => u.user_id));
    expect(bulk).toHaveLength(500);
  });

  it('connects 150 more through authenticateUser + Allow, then pages through everyone once', async () => {
    for (let i = 0; i < 150; i += 1) {
      const started = await sandbox.terra.authentication.authenticateuser({ resource: 'OURA', reference_id: `flow-${i}` });
      const page = await (await fetch(started.auth_url as string)).text();
      const response = await submitForm(sandbox.baseUrl, formAction(page, 'allow-form'));
      expect(response.status).toBe(303);
    }
    const flow = (await sandbox.terra.user.getinfoforuserid({ reference_id: 'flow-149' })) as unknown as { users: Terra.TerraUser[] };
    expect(flow.users).toHaveLength(1);

    const ids = new Set<string>();
    let page: number | null = 0;
    while (page !== null) {
      const response = (await sandbox.terra.user.getalluserids({ page, per_page: 500 })) as { data: { results: Terra.TerraUser[]; next: number | null; max_page: number } };
      expect(response.data.max_page).toBe(10);
      for (const user of response.data.results) ids.add(user.user_id);
      page = response.data.next;
    }
    expect(ids.size).toBe(5150);
  });

  it('deauthenticates users among thousands and keeps only the newest deliveries in the log', async () => {
    for (const user of seeded.slice(0, 50)) await sandbox.terra.authentication.deauthenticateuser({ user_id: user.user_id });
    await expect(sandbox.terra.user.getinfoforuserid({ user_id: seeded[10].user_id })).rejects.toBeInstanceOf(Terra.NotFoundError);
    const all = (await sandbox.terra.user.getalluserids()) as { users: Terra.TerraUser[] };
    expect(all.users).toHaveLength(5100);
    // 150 auth webhooks were sent with a log of 100: the oldest fell off, lookups by user still work.
    const { body } = await sandbox.control<{ deliveries: { user_ids: string[] }[] }>('GET', '/sandbox/deliveries?limit=10000');
    expect(body.deliveries).toHaveLength(100);
    const newest = body.deliveries[0].user_ids[0];
    const forUser = await sandbox.control<{ deliveries: unknown[] }>('GET', `/sandbox/deliveries?user_id=${newest}`);
    expect(forUser.body.deliveries.length).toBeGreaterThanOrEqual(1);
    await waitFor(() => sandbox.receiver.ofType('auth').length >= 150, '150 auth webhooks');
  });
});
