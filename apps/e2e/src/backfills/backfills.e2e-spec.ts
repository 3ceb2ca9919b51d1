import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import { expectStatus } from '../support/api-client';
import { E2eStack } from '../support/e2e-stack';
import { requestJson } from '../support/json-http';

interface Progress {
  type: string;
  status: string;
  requests_made: number;
  chunks_received: number;
  chunks_expected: number | null;
  dates_stored: number;
  reason: string | null;
  next_action_at: string | null;
}

interface BackfillView {
  id: string;
  connection_id: string;
  terra_user_id: string;
  trigger: string;
  status: string;
  start_date: string | null;
  end_date: string | null;
  types: string[] | null;
  message: string | null;
  progress: Progress[];
}

interface RecordedRequest {
  path: string;
  query: string;
  status: number;
  at: string;
}

interface EventView {
  type: string;
  data: { backfill_id?: string; connection_id: string | null } & Record<string, unknown>;
}

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
const monthsBetween = (start: string, end: string) =>
  (Number(end.slice(0, 4)) - Number(start.slice(0, 4))) * 12 + Number(end.slice(5, 7)) - Number(start.slice(5, 7)) + 1;

/** Collects outbound events (unverified: signing is proven by the outbound events suite). */
class EventSink {
  readonly events: EventView[] = [];
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        this.events.push(JSON.parse(body) as EventView);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Backfills across processes: the sandbox (Terra, with its day budget and month chunking), the API and two
 * workers from dist/. Every assertion reads what a caller sees (the API, the sandbox's request log, events at a
 * receiver).
 */
describe('backfills: on connect, on demand, tracked to completion within the rate budget', () => {
  const stack = new E2eStack({
    suite: 'e2e_backfills',
    workers: 2,
    env: {
      BACKFILL_TICK_MS: '200',
      BACKFILL_STALL_SECONDS: '3',
      BACKFILL_MAX_FAILURES: '2',
      BACKFILL_REQUESTS_PER_TICK: '100',
      BACKFILL_ON_CONNECT_DAYS: '30',
      BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER: 'POLAR=0',
      BACKFILL_ON_CONNECT_DELAY_SECONDS: '1',
      EVENT_DISPATCH_INTERVAL_MS: '100',
      EVENT_DELIVERY_RETRY_SCALE: '0.001',
    },
  });
  let sink: EventSink;

  beforeAll(async () => {
    sink = await new EventSink().start();
    await stack.start();
    const created = await requestJson<Record<string, unknown>>(`${stack.apiUrl}/v1/webhook-endpoints`, {
      method: 'POST',
      body: { url: sink.url, event_types: ['backfill.completed', 'backfill.stalled', 'backfill.failed'] },
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(created.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    await sink?.close();
  }, 60_000);

  /** Connected users (their auth webhook applied). */
  const seed = async (provider: string, referenceId: string, count = 1): Promise<string[]> => {
    const body = await stack.sandbox.act<{ users: { user_id: string }[] }>('POST', '/sandbox/users', { provider, reference_id_prefix: referenceId, count });
    const ids = body.users.map((user) => user.user_id);
    await waitFor(async () => (await stack.api.call('GET', `/v1/connections/${ids[ids.length - 1]}`)).status === 200, { timeoutMs: 20_000, describe: 'the connection' });
    return ids;
  };
  const some = <T>(list: T[]) => (list.length > 0 ? list : undefined);
  const backfillsOf = async (id: string): Promise<BackfillView[]> =>
    expectStatus(await stack.api.call<{ data: BackfillView[] }>('GET', `/v1/connections/${id}/backfills?limit=100`), 200, 'GET backfills').data;
  const backfill = async (id: string): Promise<BackfillView> =>
    expectStatus(await stack.api.call<BackfillView>('GET', `/v1/backfills/${id}`), 200, 'GET /v1/backfills/:id');
  const finished = (id: string, status = 'completed', timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const view = await backfill(id);
        if (['failed', 'unsupported'].includes(view.status) && view.status !== status) throw new Error(`backfill ${view.status}: ${JSON.stringify(view.progress)}`);
        return view.status === status && (view.status !== 'stalled' || view.progress.every((p) => p.next_action_at === null)) ? view : undefined;
      },
      { timeoutMs, describe: `backfill ${id} ${status}` },
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}; it is ${JSON.stringify(await backfill(id))}`);
    });
  const requestsOf = async (userId: string): Promise<RecordedRequest[]> => {
    const body = await stack.sandbox.act<{ requests: RecordedRequest[] }>('GET', '/sandbox/requests?limit=10000');
    return body.requests.filter((request) => new URLSearchParams(request.query).get('user_id') === userId).reverse();
  };
  const createBackfill = (id: string, body: Record<string, unknown>) => stack.api.call<BackfillView>('POST', `/v1/connections/${id}/backfills`, body);

  it('on connect: each offered type of the last 30 days, completed, a row for every day, the event at a receiver', async () => {
    const [userId] = await seed('WHOOP', 'bf-connect-');
    const [first] = await waitFor(async () => some(((await backfillsOf(userId).catch(() => [])) as BackfillView[]).filter((b) => b.start_date)), {
      timeoutMs: 20_000,
      describe: 'the planned on-connect backfill',
    }).then((list) => list);
    expect(first).toMatchObject({ trigger: 'connect', start_date: daysAgo(29), end_date: today(), types: ['activity', 'sleep', 'body', 'daily'] });
    const done = await finished(first.id);
    expect(done.progress.map((p) => p.type)).toEqual(['activity', 'body', 'daily', 'sleep']);
    for (const type of done.progress) {
      expect(type).toMatchObject({ status: 'completed', chunks_received: type.chunks_expected ?? 1 });
      // A night is dated by its bedtime, the evening before: the first night of the range falls on the day before it.
      expect(type.dates_stored).toBe(type.type === 'sleep' ? 29 : 30);
    }

    const daily = expectStatus(await stack.api.call<{ data: { date: string }[] }>('GET', `/v1/connections/${userId}/data?type=daily&limit=200`), 200, 'data');
    const dates = new Set(daily.data.map((row) => row.date));
    for (let n = 0; n < 30; n += 1) expect(dates).toContain(daysAgo(n));

    const requests = await requestsOf(userId);
    expect(requests.map((r) => r.path).sort()).toEqual(['/v2/activity', '/v2/body', '/v2/daily', '/v2/sleep']);
    for (const request of requests) {
      expect(new URLSearchParams(request.query).get('to_webhook')).toBe('true');
      expect(request.status).toBe(200);
    }
    await waitFor(() => sink.events.find((event) => event.type === 'backfill.completed' && event.data.backfill_id === first.id), {
      describe: 'backfill.completed at the receiver',
    });
  }, 60_000);

  it('on demand: 120 days cross months, come in one chunk per month, complete with every day; asking again returns the same backfill', async () => {
    const [userId] = await seed('OURA', 'bf-120-');
    const body = { types: ['daily'], start_date: daysAgo(119), end_date: today() };
    const created = await createBackfill(userId, body);
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ trigger: 'api', status: 'scheduled', types: ['daily'] });
    const again = await createBackfill(userId, body);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(created.body.id);

    const done = await finished(created.body.id);
    const months = monthsBetween(body.start_date, body.end_date);
    expect(done.progress).toEqual([
      expect.objectContaining({ type: 'daily', status: 'completed', requests_made: 1, chunks_expected: months, chunks_received: months, dates_stored: 120 }),
    ]);
    // The on-connect backfill of the last 30 days asks too; this backfill's range was asked once.
    const daily = (await requestsOf(userId)).filter((r) => r.path === '/v2/daily' && new URLSearchParams(r.query).get('start_date') === body.start_date);
    expect(daily).toHaveLength(1);

    // The connection's list pages newest first: this backfill, then the on-connect one.
    const first = expectStatus(await stack.api.call<{ data: BackfillView[]; next_cursor: string | null }>('GET', `/v1/connections/${userId}/backfills?limit=1`), 200, 'page 1');
    expect(first.data.map((b) => b.id)).toEqual([created.body.id]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = expectStatus(
      await stack.api.call<{ data: BackfillView[]; next_cursor: string | null }>('GET', `/v1/connections/${userId}/backfills?limit=1&cursor=${first.next_cursor}`),
      200,
      'page 2',
    );
    expect(second.data.map((b) => b.trigger)).toEqual(['connect']);
    expect(second.next_cursor).toBeNull();
  }, 60_000);

  it('a lost chunk: stalled after the silence, asked again for the missing month only, then completed', async () => {
    // POLAR has no on-connect backfill here (0 days): the only requests are this backfill's.
    const [userId] = await seed('POLAR', 'bf-lost-');
    await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { lose_chunk: 1, user_id: userId });
    const body = { types: ['daily'], start_date: daysAgo(89), end_date: today() };
    const created = expectStatus(await createBackfill(userId, body), 202, 'POST backfill');
    await waitFor(() => sink.events.find((event) => event.type === 'backfill.stalled' && event.data.backfill_id === created.id), {
      timeoutMs: 20_000,
      describe: 'backfill.stalled at the receiver',
    });
    const done = await finished(created.id);
    expect(done.progress[0]).toMatchObject({ status: 'completed', requests_made: 2, dates_stored: 90 });
    const sleep = (await requestsOf(userId)).filter((r) => r.path === '/v2/daily').map((r) => new URLSearchParams(r.query));
    expect(sleep).toHaveLength(2);
    // The re-request spans only the lost month (the second of the range).
    const second = sleep[1];
    expect(second.get('start_date')?.slice(0, 7)).toBe(second.get('end_date')?.slice(0, 7));
    expect(second.get('start_date')! > body.start_date).toBe(true);
    await waitFor(() => sink.events.find((event) => event.type === 'backfill.completed' && event.data.backfill_id === created.id), {
      describe: 'backfill.completed after the re-request',
    });
  }, 60_000);

  it("a low Terra budget: the scheduler waits (Terra's remaining-days headers, a 429's Retry-After), never fails, until everything is stored", async () => {
    const [userId] = await seed('POLAR', 'bf-budget-');
    await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { days_per_hour: 40 });
    try {
      const created = expectStatus(await createBackfill(userId, { types: ['daily', 'sleep', 'body'], start_date: daysAgo(29), end_date: today() }), 202, 'POST');
      const waiting = await waitFor(async () => {
        const view = await backfill(created.id);
        return view.status === 'waiting' ? view : undefined;
      }, { describe: 'the backfill waiting for the budget' });
      expect(waiting.progress.some((p) => /Terra says 10 requested days remain|429/.test(p.reason ?? ''))).toBe(true);
      const done = await finished(created.id, 'completed', 45_000);
      expect(done.progress.map((p) => [p.type, p.dates_stored])).toEqual([['body', 30], ['daily', 30], ['sleep', 29]]);
      const requests = await requestsOf(userId);
      expect(requests.filter((r) => r.status === 200)).toHaveLength(3);
      // Terra's headers said how much was left: at most the one call already on its way when they arrived was refused.
      expect(requests.filter((r) => r.status === 429).length).toBeLessThanOrEqual(1);
    } finally {
      await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { days_per_hour: 6000 });
    }
  }, 60_000);

  it("a provider error for one type fails that type with Terra's reason; the others complete; backfill.failed is sent", async () => {
    const [userId] = await seed('OURA', 'bf-error-');
    await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { provider_errors: { sleep: 'Oura answered 500 for sleep' } });
    try {
      const created = expectStatus(await createBackfill(userId, { types: ['daily', 'sleep'], start_date: daysAgo(9), end_date: today() }), 202, 'POST');
      const done = await finished(created.id, 'failed', 30_000);
      const byType = Object.fromEntries(done.progress.map((p) => [p.type, p]));
      expect(byType.daily).toMatchObject({ status: 'completed', dates_stored: 10 });
      expect(byType.sleep).toMatchObject({ status: 'failed', requests_made: 2 });
      expect(byType.sleep.reason).toContain('Oura answered 500 for sleep');
      await waitFor(() => sink.events.find((event) => event.type === 'backfill.failed' && event.data.backfill_id === created.id), {
        describe: 'backfill.failed at the receiver',
      });
    } finally {
      await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { provider_errors: {} });
    }
  }, 60_000);

  it("a provider's rate_limit_hit waits for Terra's retry: no second request, completed", async () => {
    const [userId] = await seed('POLAR', 'bf-rlh-');
    await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { rate_limit_hit: 1, rate_limit_retry_seconds: 2, user_id: userId });
    const created = expectStatus(await createBackfill(userId, { types: ['daily'], start_date: daysAgo(9), end_date: today() }), 202, 'POST');
    const waiting = await waitFor(async () => ((await backfill(created.id)).status === 'waiting' ? true : undefined), { describe: 'waiting on the provider' });
    expect(waiting).toBe(true);
    const done = await finished(created.id);
    expect(done.progress[0]).toMatchObject({ requests_made: 1, dates_stored: 10 });
  }, 60_000);

  it("Terra's processing answer (the provider is still fetching): asked again after retry_after_seconds, then completed", async () => {
    const [userId] = await seed('POLAR', 'bf-processing-');
    await stack.sandbox.act('PATCH', '/sandbox/backfill-scenarios', { processing: 1, processing_retry_seconds: 1, user_id: userId });
    const created = expectStatus(await createBackfill(userId, { types: ['daily'], start_date: daysAgo(4), end_date: today() }), 202, 'POST');
    const done = await finished(created.id);
    expect(done.progress[0]).toMatchObject({ requests_made: 2, dates_stored: 5 });
    const calls = (await requestsOf(userId)).filter((r) => r.path === '/v2/daily');
    expect(calls).toHaveLength(2);
    // Not before Terra's retry_after_seconds.
    expect(Date.parse(calls[1].at) - Date.parse(calls[0].at)).toBeGreaterThanOrEqual(900);
  }, 60_000);

  it('a reconnect backfills only the gap since the last stored data', async () => {
    const [userId] = await seed('WITHINGS', 'bf-gap-');
    const [first] = await waitFor(async () => some(((await backfillsOf(userId).catch(() => [])) as BackfillView[]).filter((b) => b.status === 'completed')), {
      timeoutMs: 30_000,
      describe: 'the first on-connect backfill completed',
    });
    expect(first.start_date).toBe(daysAgo(29));
    const reauth = await stack.sandbox.act<{ new_user_id: string }>('POST', `/sandbox/users/${userId}/reauth`);
    const second = await waitFor(
      async () => (await backfillsOf(first.connection_id)).find((b) => b.id !== first.id && b.status === 'completed'),
      { timeoutMs: 30_000, describe: 'the reconnect backfill completed' },
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await backfillsOf(first.connection_id))}`);
    });
    expect(second).toMatchObject({ terra_user_id: reauth.new_user_id, start_date: today(), end_date: today() });
    expect(second.message).toContain('gap');
    for (const request of await requestsOf(reauth.new_user_id)) expect(new URLSearchParams(request.query).get('start_date')).toBe(today());
  }, 60_000);

  it('mobile-SDK sources are unsupported with a message; a provider configured to 0 days gets no backfill', async () => {
    const [apple] = await seed('APPLE', 'bf-apple-');
    const [view] = await waitFor(async () => some(((await backfillsOf(apple).catch(() => [])) as BackfillView[]).filter((b) => b.status === 'unsupported')), {
      timeoutMs: 20_000,
      describe: 'the unsupported backfill',
    });
    expect(view.message).toContain('mobile SDK');
    const onDemand = await createBackfill(apple, { start_date: daysAgo(5), end_date: today() });
    expect(onDemand.status).toBe(202);
    expect(onDemand.body.status).toBe('unsupported');

    const [polar] = await seed('POLAR', 'bf-polar-');
    // Two ticks later the trigger row has been planned away (0 days for POLAR).
    await waitFor(async () => (await backfillsOf(polar)).length === 0 && (await requestsOf(polar)).length === 0, { describe: 'no POLAR backfill' });
  }, 60_000);

  it('rejects bad input with a reason: 400s and 404s, never 5xx', async () => {
    const [userId] = await seed('OURA', 'bf-bad-');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ start_date: '2026-02-30', end_date: today() }, /start_date/],
      [{ start_date: '2026-13-01', end_date: today() }, /start_date must be a real date/],
      [{ start_date: daysAgo(3), end_date: `${today()}T00:00:00Z` }, /end_date must be a date YYYY-MM-DD/],
      [{ start_date: today(), end_date: daysAgo(3) }, /start_date must not be after end_date/],
      [{ start_date: daysAgo(3), end_date: '2999-01-01' }, /future/],
      [{ start_date: daysAgo(2000), end_date: today() }, /1825/],
      [{ types: ['nutrition'], start_date: daysAgo(3), end_date: today() }, /not offered/],
      [{ types: ['steps'], start_date: daysAgo(3), end_date: today() }, /types/],
    ];
    for (const [body, message] of cases) {
      const res = await createBackfill(userId, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect((await createBackfill('no-such-connection', { start_date: daysAgo(3), end_date: today() })).status).toBe(404);
    expect((await stack.api.call('GET', '/v1/backfills/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await stack.api.call('GET', '/v1/backfills/not-a-uuid')).status).toBe(400);
    expect((await stack.api.call('GET', `/v1/connections/${userId}/backfills?cursor=bogus`)).status).toBe(400);
  }, 60_000);

  it('a burst of 200 connects stays within the per-user budget: every user asked once per type, no 429', async () => {
    const users = await seed('STRAVA', 'bf-burst-', 200);
    const ids = new Set(users);
    await waitFor(
      async () => {
        const body = await stack.sandbox.act<{ requests: RecordedRequest[] }>('GET', '/sandbox/requests?path=/v2/activity&limit=10000');
        const ours = body.requests.filter((r) => ids.has(new URLSearchParams(r.query).get('user_id') ?? ''));
        return ours.length >= 200 ? ours : undefined;
      },
      { timeoutMs: 45_000, describe: '200 activity requests' },
    );
    const all = (await stack.sandbox.act<{ requests: RecordedRequest[] }>('GET', '/sandbox/requests?limit=10000')).requests.filter((r) =>
      ids.has(new URLSearchParams(r.query).get('user_id') ?? ''),
    );
    expect(all.filter((r) => r.path.startsWith('/v2/activity'))).toHaveLength(200);
    expect(all.filter((r) => r.status === 429)).toHaveLength(0);
    const sample = users.slice(0, 5);
    for (const userId of sample) {
      const [view] = await waitFor(async () => some((await backfillsOf(userId)).filter((b) => b.status === 'completed')), { timeoutMs: 30_000, describe: `${userId} completed` });
      expect(view.progress[0]).toMatchObject({ type: 'activity', dates_stored: 30 });
    }
  }, 90_000);
});
