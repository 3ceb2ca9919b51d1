import { Terra, TerraClient, TerraError } from 'terra-api';
import { startSandbox, TEST_DEV_ID, waitFor, type SandboxHarness } from '../testing/sandbox-harness';

type Seeded = { users: { user_id: string }[] };
type DataBody = { user?: Terra.TerraUser; data?: Record<string, unknown>[]; type?: string };

describe('Terra data endpoints through the SDK', () => {
  let sandbox: SandboxHarness;
  let userId: string;

  const seed = async (provider: string) =>
    (await sandbox.control<Seeded>('POST', '/sandbox/users', { provider, reference_id: `ref-${provider}`, webhooks: false })).body.users[0].user_id;

  beforeAll(async () => {
    sandbox = await startSandbox();
    userId = await seed('GARMIN');
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('returns plausible inline data for every day of the range, the same on a second read', async () => {
    const request = { user_id: userId, start_date: '2025-11-01', end_date: '2025-11-03', to_webhook: false };
    const activity = (await sandbox.terra.activity.fetch(request)) as DataBody;
    expect(activity.type).toBe('activity');
    expect(activity.user).toMatchObject({ user_id: userId, provider: 'GARMIN' });
    expect(activity.data).toHaveLength(3);
    const first = activity.data?.[0] as unknown as Terra.Activity;
    expect(first.metadata).toMatchObject({ summary_id: expect.any(String), type: expect.any(Number), upload_type: 1 });
    expect(first.metadata.start_time.slice(0, 10)).toBe('2025-11-01');
    expect(first.metadata.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    const again = (await sandbox.terra.activity.fetch(request)) as DataBody;
    expect(again.data).toEqual(activity.data);

    const sleep = (await sandbox.terra.sleep.fetch(request)) as DataBody;
    expect((sleep.data?.[0] as unknown as Terra.Sleep).sleep_durations_data?.asleep?.duration_asleep_state_seconds).toBeGreaterThan(0);
    const body = (await sandbox.terra.body.fetch(request)) as DataBody;
    expect((body.data?.[1] as unknown as Terra.Body).metadata.start_time.slice(0, 10)).toBe('2025-11-02');
    const daily = (await sandbox.terra.daily.fetch({ ...request, with_samples: true })) as DataBody;
    expect((daily.data?.[0] as unknown as Terra.Daily).distance_data?.detailed?.step_samples?.length).toBeGreaterThan(0);
    const menstruation = (await sandbox.terra.menstruation.fetch(request)) as DataBody;
    expect((menstruation.data?.[0] as unknown as Terra.Menstruation).menstruation_data?.day_in_cycle).toBeGreaterThan(0);
  });

  it('answers NoDataReturned for a type the provider does not have, and serves nutrition where it does', async () => {
    const noNutrition = (await sandbox.terra.nutrition.fetch({ user_id: userId, start_date: '2025-11-01', to_webhook: false })) as Terra.NoDataReturned;
    expect(noNutrition).toMatchObject({ status: 'error', message: expect.stringContaining('nutrition'), user: { user_id: userId } });
    const mfp = await seed('MYFITNESSPAL');
    const nutrition = (await sandbox.terra.nutrition.fetch({ user_id: mfp, start_date: '2025-11-01', end_date: '2025-11-01', to_webhook: false })) as DataBody;
    expect((nutrition.data?.[0] as unknown as Terra.Nutrition).meals?.length).toBeGreaterThan(0);
  });

  it('by default sends the data to the webhook with the same terra-reference as the answer', async () => {
    const { data, rawResponse } = await sandbox.terra.daily
      .fetch({ user_id: userId, start_date: '2025-11-01', end_date: '2025-11-05' })
      .withRawResponse();
    const sent = data as Terra.DataSentToWebhook & { status: string };
    expect(sent).toMatchObject({ status: 'success', reference: expect.any(String), user: { user_id: userId } });
    expect(rawResponse.headers.get('terra-reference')).toBe(sent.reference);
    const hook = await waitFor(() => sandbox.receiver.received.find((h) => h.headers['terra-reference'] === sent.reference), 'the daily webhook');
    expect(hook.json).toMatchObject({ type: 'daily', version: '2022-03-16', user: { user_id: userId } });
    expect(hook.json.data).toHaveLength(5);
    expect((hook.json.user as Terra.TerraUser).last_webhook_update).toEqual(expect.any(String));
  });

  it('turns a range over more than one calendar month into a large request: processing answer, then sending + one chunk per month sharing the reference', async () => {
    const { data, rawResponse } = await sandbox.terra.sleep
      .fetch({ user_id: userId, start_date: '2025-09-01', end_date: '2025-10-15' })
      .withRawResponse();
    const processing = data as Terra.LargeRequestProcessingEvent;
    expect(processing).toMatchObject({ type: 'large_request_processing', status: 'processing', reference: expect.any(String), user: { user_id: userId } });
    expect(rawResponse.headers.get('terra-reference')).toBe(processing.reference);
    const related = () => sandbox.receiver.received.filter((h) => h.headers['terra-reference'] === processing.reference);
    await waitFor(() => related().length === 2 + 2, 'the large request webhooks (Sep 1 - Oct 15 -> 2 chunks)');
    const hooks = related();
    expect(hooks.map((h) => h.json.type)).toEqual(['large_request_processing', 'large_request_sending', 'sleep', 'sleep']);
    expect(hooks[1].json).toMatchObject({ expected_payloads: 2, reference: processing.reference });
    const chunks = hooks.slice(2);
    expect(chunks.map((h) => (h.json.data as unknown[]).length)).toEqual([30, 15]);
    const traceIds = chunks.map((h) => h.headers['x-terra-trace-id'] as string);
    const base = traceIds[0].replace(/:chunk:1$/, '');
    expect(traceIds).toEqual([1, 2].map((n) => `${base}:chunk:${n}`));
  });

  it('answers a whole calendar month (31 days) with one webhook, not a large request', async () => {
    const { data, rawResponse } = await sandbox.terra.daily.fetch({ user_id: userId, start_date: '2025-12-01', end_date: '2025-12-31' }).withRawResponse();
    const reference = rawResponse.headers.get('terra-reference');
    expect(data).toMatchObject({ status: 'success', reference });
    const hook = await waitFor(() => sandbox.receiver.received.find((h) => h.headers['terra-reference'] === reference), 'the one daily webhook');
    expect(hook.json.data).toHaveLength(31);
  });

  it('spends the per-user day budget: rate-limit headers on success, 429 with Retry-After and rule r2 when spent', async () => {
    await sandbox.control('PATCH', '/sandbox/backfill-scenarios', { days_per_hour: 40 });
    try {
      const first = await sandbox.terra.daily.fetch({ user_id: userId, start_date: '2025-06-01', end_date: '2025-06-30' }).withRawResponse();
      expect(first.rawResponse.headers.get('x-terra-ratelimit-limit')).toBe('40');
      expect(first.rawResponse.headers.get('x-terra-ratelimit-remaining')).toBe('10');
      const refused = await sandbox.terra.daily
        .fetch({ user_id: userId, start_date: '2025-07-01', end_date: '2025-07-30' }, { maxRetries: 0 })
        .catch((error: unknown) => error as TerraError);
      expect(refused).toBeInstanceOf(TerraError);
      expect((refused as TerraError).statusCode).toBe(429);
      expect((refused as TerraError).rawResponse?.headers.get('x-terra-ratelimit-rule')).toBe('r2');
      expect(Number((refused as TerraError).rawResponse?.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await sandbox.control('PATCH', '/sandbox/backfill-scenarios', { days_per_hour: 6000 });
    }
  });

  it('serves the athlete profile inline and as a webhook', async () => {
    const inline = (await sandbox.terra.athlete.fetch({ user_id: userId, to_webhook: false })) as Terra.AthleteFetchResponse.Athlete;
    expect(inline).toMatchObject({ type: 'athlete', user: { user_id: userId }, athlete: { first_name: expect.any(String), devices: expect.any(Array) } });
    const sent = (await sandbox.terra.athlete.fetch({ user_id: userId })) as Terra.AthleteFetchResponse.Webhook;
    expect(sent).toMatchObject({ type: 'webhook', reference: expect.any(String) });
    const hook = await waitFor(() => sandbox.receiver.received.find((h) => h.headers['terra-reference'] === sent.reference), 'the athlete webhook');
    expect(hook.json).toMatchObject({ type: 'athlete', athlete: inline.athlete });
  });

  it('rejects bad requests: unknown user 404, missing or malformed dates 400, missing key 401', async () => {
    await expect(sandbox.terra.activity.fetch({ user_id: 'ghost', start_date: '2025-11-01' })).rejects.toBeInstanceOf(Terra.NotFoundError);
    await expect(sandbox.terra.activity.fetch({ user_id: userId, start_date: 'yesterday' })).rejects.toBeInstanceOf(Terra.BadRequestError);
    await expect(sandbox.terra.activity.fetch({ user_id: userId, start_date: '2025-11-05', end_date: '2025-11-01' })).rejects.toBeInstanceOf(Terra.BadRequestError);
    const missing = await fetch(`${sandbox.baseUrl}/v2/activity?user_id=${userId}`, { headers: { 'dev-id': TEST_DEV_ID, 'x-api-key': 'test-api-key' } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ status: 'error', message: expect.stringContaining('start_date') });
    const noKey = new TerraClient({ baseUrl: `${sandbox.baseUrl}/v2`, devId: TEST_DEV_ID });
    await expect(noKey.sleep.fetch({ user_id: userId, start_date: '2025-11-01' })).rejects.toBeInstanceOf(Terra.UnauthorizedError);
  });

  it('accepts unix-second dates as the SDK passes them', async () => {
    const start = Math.floor(Date.parse('2025-11-01T00:00:00Z') / 1000);
    const result = (await sandbox.terra.body.fetch({ user_id: userId, start_date: start, end_date: start + 86_400, to_webhook: false })) as DataBody;
    expect(result.data).toHaveLength(2);
  });
});
