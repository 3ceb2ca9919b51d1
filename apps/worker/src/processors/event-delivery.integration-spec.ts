import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { loadConfig, type AppConfig } from '@terra-connections/config';
import { WebhookEndpointsService } from '@terra-connections/events';
import { findFreePort } from '@terra-connections/process';
import { deliverEventJobId, EVENT_DELIVERY_QUEUE, redisConnectionOptions } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { WorkerModule } from '../worker.module';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const SLOW = -1;
/**
 * The worker's response deadline here. Long enough that, with the whole suite running in parallel on a small
 * box, the fast endpoint of the share test is served before the slow ones' first attempts end.
 */
const DEADLINE_MS = 5_000;
const TRICKLE = -2;

/** A real HTTP receiver: answers each request on `path` with the next status of its script (the last repeats). */
class Receiver {
  readonly received: Received[] = [];
  /** Requests per path not answered (or given up) yet, and the most at once. */
  private readonly open = new Map<string, number>();
  readonly mostOpen = new Map<string, number>();
  /** When the worker's side closed a TRICKLE answer. */
  readonly closedAt = new Map<string, number>();
  private readonly scripts = new Map<string, number[]>();
  private server!: http.Server;
  url = '';

  async start(port = 0): Promise<this> {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.received.push({ path, headers: request.headers, body });
        const open = (this.open.get(path) ?? 0) + 1;
        this.open.set(path, open);
        this.mostOpen.set(path, Math.max(open, this.mostOpen.get(path) ?? 0));
        response.once('close', () => this.open.set(path, (this.open.get(path) ?? 1) - 1));
        const script = this.scripts.get(path) ?? [200];
        const status = script.length > 1 ? script.shift()! : script[0];
        // SLOW: answer 200, but only after the worker's deadline.
        if (status === SLOW) return void setTimeout(() => response.end('late'), DEADLINE_MS + 1_000).unref();
        // TRICKLE: the status at once, then a byte of body every 200 ms, never the end.
        if (status === TRICKLE) {
          response.writeHead(200, { 'content-length': '100000' });
          const timer = setInterval(() => response.write('x'), 200);
          response.once('close', () => {
            clearInterval(timer);
            this.closedAt.set(path, Date.now());
          });
          return;
        }
        if (status === 302) response.setHeader('location', `${this.url}/redirect-target`);
        response.statusCode = status;
        response.end('ok');
      });
    });
    this.server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  script(path: string, statuses: number[]): string {
    this.scripts.set(path, statuses);
    return `${this.url}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The worker app in this process: outbox -> dispatcher -> delivery jobs -> a real receiver over HTTP. */
describe('Event delivery (real worker, Postgres, Redis, HTTP)', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let worker: INestApplicationContext;
  let endpoints: WebhookEndpointsService;
  let receiver: Receiver;

  beforeAll(async () => {
    db = await createTestDatabase('event_delivery');
    receiver = await new Receiver().start();
    config = loadConfig(
      testEnv({
        DATABASE_URL: db.url,
        EVENT_DISPATCH_INTERVAL_MS: '50',
        // 5 s -> 5 ms, 5 min -> 300 ms: the schedule's shape, at test speed.
        EVENT_DELIVERY_RETRY_SCALE: '0.001',
        EVENT_DELIVERY_TIMEOUT_MS: String(DEADLINE_MS),
      }),
    );
    endpoints = new WebhookEndpointsService(db.dataSource, config);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
    await db?.drop();
  });

  async function emit(type: string, reference: string): Promise<string> {
    const [{ event_id }]: { event_id: string }[] = await db.dataSource.query(
      `INSERT INTO events (type, occurred_at, connection_id, terra_user_id, reference_id, provider, sequence, data)
       VALUES ($1, now(), gen_random_uuid(), 'terra-1', $2, 'OURA', 1, '{"previous_status":null}') RETURNING event_id`,
      [type, reference],
    );
    return event_id;
  }

  const delivery = async (endpointId: string) =>
    (await db.dataSource.query(`SELECT * FROM event_deliveries WHERE endpoint_id = $1`, [endpointId]))[0];

  it('signs with Standard Webhooks: the receiver verifies with the standardwebhooks library and gets the envelope', async () => {
    const { endpoint, secret } = await endpoints.create({ url: receiver.script('/ok', [200]), eventTypes: ['connection.connected'] });
    const eventId = await emit('connection.connected', 'signed');
    await emit('data.received', 'signed'); // not subscribed: never sent
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the delivery' });
    const [request] = receiver.at('/ok');
    expect(receiver.at('/ok')).toHaveLength(1);
    const verified = new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ id: eventId, type: 'connection.connected', data: { reference_id: 'signed', sequence: 1, provider: 'OURA' } });
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(request.body, request.headers as Record<string, string>)).toThrow();
  });

  it('a receiver answering 500 then 200: delivered, with the same webhook-id on each attempt, every attempt logged', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/flaky', [500, 500, 200]) });
    const eventId = await emit('connection.errored', 'flaky');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the delivery after retries' });
    const attempts = receiver.at('/flaky');
    expect(attempts.map((request) => request.headers['webhook-id'])).toEqual([eventId, eventId, eventId]);
    const log: { attempt: number; status_code: number; next_attempt_at: Date | null }[] = await db.dataSource.query(
      `SELECT a.attempt, a.status_code, a.next_attempt_at FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id
       WHERE d.endpoint_id = $1 ORDER BY a.id`,
      [endpoint.id],
    );
    expect(log.map((row) => [row.attempt, row.status_code, row.next_attempt_at !== null])).toEqual([
      [1, 500, true],
      [2, 500, true],
      [3, 200, false],
    ]);
  });

  it('a receiver that does not answer within the deadline, then does: delivered, same webhook-id, the timeout logged', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/slow', [SLOW, 200]) });
    const eventId = await emit('connection.errored', 'slow');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the delivery after a timeout' });
    expect(receiver.at('/slow').map((request) => request.headers['webhook-id'])).toEqual([eventId, eventId]);
    const log: { status_code: number | null; error: string | null }[] = await db.dataSource.query(
      `SELECT a.status_code, a.error FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 ORDER BY a.id`,
      [endpoint.id],
    );
    expect(log).toEqual([
      { status_code: null, error: `no response within ${DEADLINE_MS} ms` },
      { status_code: 200, error: null },
    ]);
  });

  it('a receiver that sends its status and then trickles the body: delivered, and the socket closed at the deadline', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/trickle', [TRICKLE]) });
    await emit('connection.errored', 'trickle');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the delivery' });
    const sentAt = receiver.at('/trickle')[0];
    expect(sentAt).toBeDefined();
    // The worker's deadline covers the body's drain too: without it the socket stays for the 100,000 bytes.
    await waitFor(async () => receiver.closedAt.has('/trickle'), { timeoutMs: 10_000, describe: 'the worker to drop the trickling answer' });
  });

  it('a receiver down for a while (connection refused), then up: every event delivered once it is back', async () => {
    const port = await findFreePort();
    const { endpoint } = await endpoints.create({ url: `http://127.0.0.1:${port}/back` });
    const eventIds = [await emit('connection.connected', 'down-a-while'), await emit('connection.errored', 'down-a-while')];
    await waitFor(
      async () => Number((await db.dataSource.query(`SELECT count(*) AS n FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`, [endpoint.id]))[0].n) >= 4,
      { timeoutMs: 20_000, describe: 'two failed attempts of each delivery' },
    );
    const late = await new Receiver().start(port);
    try {
      await waitFor(
        async () => (await db.dataSource.query(`SELECT status FROM event_deliveries WHERE endpoint_id = $1`, [endpoint.id])).every((row: { status: string }) => row.status === 'delivered'),
        { timeoutMs: 30_000, describe: 'the deliveries once the receiver is up' },
      );
      expect(late.at('/back').map((request) => request.headers['webhook-id']).sort()).toEqual([...eventIds].sort());
      const errors: { error: string }[] = await db.dataSource.query(
        `SELECT DISTINCT a.error FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 AND a.status_code IS NULL`,
        [endpoint.id],
      );
      expect(errors.map((row) => row.error)).toEqual([expect.stringContaining('ECONNREFUSED')]);
    } finally {
      await late.close();
    }
  });

  it('slow endpoints hold at most their shares and the waiting room: another endpoint is delivered meanwhile', async () => {
    const slow = await endpoints.create({ url: receiver.script('/crowd-slow', [SLOW]), eventTypes: ['connection.scopes_changed'] });
    const slower = await endpoints.create({ url: receiver.script('/crowd-slower', [SLOW]), eventTypes: ['connection.scopes_changed'] });
    const fast = await endpoints.create({ url: receiver.script('/crowd-fast', [200]), eventTypes: ['connection.revoked'] });
    // Slow ones first: without a share they would take all 16 slots until the deadline, ahead of the fast ones.
    for (let n = 0; n < 30; n += 1) await emit('connection.scopes_changed', 'crowd');
    // Few fast ones: the point is that they are not queued behind the slow ones, and a loaded box (the whole
    // suite in parallel) must still deliver them well within the deadline.
    for (let n = 0; n < 4; n += 1) await emit('connection.revoked', 'crowd');
    await waitFor(
      async () =>
        (await db.dataSource.query(`SELECT status FROM event_deliveries WHERE endpoint_id = $1`, [fast.endpoint.id])).filter(
          (row: { status: string }) => row.status === 'delivered',
        ).length === 4,
      { timeoutMs: 20_000, intervalMs: 20, describe: 'the fast endpoint' },
    );
    // Delivered before any slow attempt reached its deadline: the slow two never held every slot.
    const slowAttempts = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = ANY($1::uuid[])`,
      [[slow.endpoint.id, slower.endpoint.id]],
    );
    expect(slowAttempts).toEqual([{ n: 0 }]);
    // Never more than EVENT_DELIVERY_PER_ENDPOINT (4) at once to one endpoint.
    expect(receiver.at('/crowd-slow').length).toBeGreaterThan(0);
    expect(receiver.mostOpen.get('/crowd-slow')).toBeLessThanOrEqual(4);
    expect(receiver.mostOpen.get('/crowd-slower')).toBeLessThanOrEqual(4);
  });

  it('include_data: the data.received delivery carries the stored records it names; an endpoint without it gets keys only', async () => {
    const withData = await endpoints.create({ url: receiver.script('/with-data', [200]), eventTypes: ['data.received'], includeData: true });
    const keysOnly = await endpoints.create({ url: receiver.script('/keys-only', [200]), eventTypes: ['data.received'] });
    const [{ connection_id: connectionId }]: { connection_id: string }[] = await db.dataSource.query(`SELECT gen_random_uuid() AS connection_id`);
    for (const [day, steps] of [['2026-11-01', 1200], ['2026-11-02', 3400], ['2026-11-03', 99]] as const) {
      await db.dataSource.query(
        `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, date, payload, payload_bytes, event_at)
         VALUES ($1, 'terra-data', 'daily', $2::varchar, $2::varchar::date, $3::jsonb, 20, now())`,
        [connectionId, day, JSON.stringify({ steps })],
      );
    }
    await db.dataSource.query(
      `INSERT INTO events (type, occurred_at, connection_id, terra_user_id, reference_id, provider, sequence, data)
       VALUES ('data.received', now(), $1, 'terra-data', 'with-data', 'OURA', 1, $2::jsonb)`,
      [connectionId, JSON.stringify({ data_type: 'daily', count: 2, skipped: 0, dates: ['2026-11-01', '2026-11-02'], summary_ids: [] })],
    );
    await waitFor(async () => receiver.at('/with-data').length === 1 && receiver.at('/keys-only').length === 1, {
      timeoutMs: 20_000,
      describe: 'both deliveries',
    });
    const full = new Webhook(withData.secret).verify(receiver.at('/with-data')[0].body, receiver.at('/with-data')[0].headers as Record<string, string>);
    expect((full as { data: unknown }).data).toMatchObject({
      data_type: 'daily',
      records_truncated: false,
      records: [
        { data_key: '2026-11-01', date: '2026-11-01', summary_id: null, payload: { steps: 1200 } },
        { data_key: '2026-11-02', date: '2026-11-02', summary_id: null, payload: { steps: 3400 } },
      ],
    });
    const bare = new Webhook(keysOnly.secret).verify(receiver.at('/keys-only')[0].body, receiver.at('/keys-only')[0].headers as Record<string, string>);
    expect((bare as { data: Record<string, unknown> }).data.records).toBeUndefined();
  });

  it('410 Gone disables the endpoint and says why', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/gone', [410]) });
    await emit('connection.revoked', 'gone');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'failed', { timeoutMs: 20_000, describe: 'the delivery to fail' });
    expect(await endpoints.get(endpoint.id)).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
    expect(receiver.at('/gone')).toHaveLength(1);
    await emit('connection.revoked', 'gone-again');
    // Later events are not delivered to a disabled endpoint (the dispatcher passes it by).
    await waitFor(
      async () => Number((await db.dataSource.query(`SELECT count(*) AS n FROM events e, event_dispatch_position p WHERE e.id > p.row_id`))[0].n) === 0,
      { timeoutMs: 20_000, describe: 'the dispatcher to pass the event' },
    );
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('does not follow a redirect: the attempt fails and is retried, the target never hears of it', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/moved', [302, 200]) });
    await emit('connection.disconnected', 'moved');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the retry to land' });
    expect(receiver.at('/redirect-target')).toHaveLength(0);
    const [first]: { status_code: number; error: string }[] = await db.dataSource.query(
      `SELECT a.status_code, a.error FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 ORDER BY a.id LIMIT 1`,
      [endpoint.id],
    );
    expect(first).toMatchObject({ status_code: 302, error: expect.stringContaining('not followed') });
  });

  it('refuses the metadata address whatever the configuration, and logs why', async () => {
    const { endpoint } = await endpoints.create({ url: 'http://169.254.169.254/latest/meta-data/' });
    await emit('connection.connected', 'metadata');
    await waitFor(async () => (await delivery(endpoint.id))?.attempts >= 1, { timeoutMs: 20_000, describe: 'the first attempt' });
    const [first]: { status_code: number | null; error: string }[] = await db.dataSource.query(
      `SELECT a.status_code, a.error FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`,
      [endpoint.id],
    );
    expect(first).toMatchObject({ status_code: null, error: expect.stringContaining('refused to connect to 169.254.169.254') });
  });

  it('rotation: during the overlap a receiver with only the old or only the new secret verifies; after it, only the new', async () => {
    const { endpoint, secret: old } = await endpoints.create({ url: receiver.script('/rotating', [200]) });
    const { secret: fresh } = await endpoints.rotateSecret(endpoint.id, 3600);
    await emit('connection.connected', 'rotating');
    await waitFor(async () => receiver.at('/rotating').length === 1, { timeoutMs: 20_000, describe: 'the delivery' });
    const verify = (secret: string, request: Received) => () =>
      new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    const [during] = receiver.at('/rotating');
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(old, during)).not.toThrow();
    expect(verify(fresh, during)).not.toThrow();

    const { secret: newest } = await endpoints.rotateSecret(endpoint.id, 0);
    await emit('connection.connected', 'rotating');
    await waitFor(async () => receiver.at('/rotating').length === 2, { timeoutMs: 20_000, describe: 'the second delivery' });
    const after = receiver.at('/rotating')[1];
    expect(verify(newest, after)).not.toThrow();
    expect(verify(fresh, after)).toThrow();
  });

  it('a replay of a delivery still waiting for its retry replaces that schedule: the receiver never gets both', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/replay-pending', [500, 500, 500, 500, 500, 200]), eventTypes: ['connection.revoked'] });
    await emit('connection.revoked', 'replay-pending');
    // After attempt 3 the next one is due in 1.8 s (the scaled 30 min): replay inside that wait.
    await waitFor(async () => receiver.at('/replay-pending').length === 3, { timeoutMs: 20_000, intervalMs: 5, describe: 'three failed attempts' });
    const row = await delivery(endpoint.id);
    expect(row.status).toBe('pending');
    expect(await endpoints.replayDelivery(endpoint.id, row.id)).toBe(true);
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the replayed delivery' });
    // The first round's job, due again 1.8 s after its attempt 3, found a newer round and sent nothing.
    const queue = new Queue(EVENT_DELIVERY_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    try {
      const firstRound = await waitFor(
        async () => {
          const job = await queue.getJob(deliverEventJobId(row.id));
          return job && (await job.getState()) === 'completed' ? job : undefined;
        },
        { timeoutMs: 20_000, describe: "the first round's job to end" },
      );
      expect(firstRound.returnvalue).toBe('skipped');
      expect(firstRound.attemptsMade).toBe(4);
    } finally {
      await queue.close();
    }
    // Three attempts of the first round, three of the replay's (500, 500, then 200): none of the first round's after the replay.
    expect(receiver.at('/replay-pending')).toHaveLength(6);
  });

  it('replays one delivery (same webhook-id) and everything since a time', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/replayed', [200]) });
    const since = new Date(Date.now() - 1000);
    const eventId = await emit('connection.errored', 'replayed');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the delivery' });
    expect(await endpoints.replayDelivery(endpoint.id, (await delivery(endpoint.id)).id)).toBe(true);
    await waitFor(async () => receiver.at('/replayed').length === 2, { timeoutMs: 20_000, describe: 'the replay' });
    expect(receiver.at('/replayed').map((request) => request.headers['webhook-id'])).toEqual([eventId, eventId]);
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'delivered', { timeoutMs: 20_000, describe: 'the replay to settle' });
    // Every event since `since` (the endpoint takes every type): ours and the other tests' from then.
    const replayed = await endpoints.replaySince(endpoint.id, since);
    expect(replayed).toBeGreaterThanOrEqual(1);
    await waitFor(async () => receiver.at('/replayed').length === 2 + replayed, { timeoutMs: 20_000, describe: 'the replay since' });
  });

  it('an endpoint failing continuously past the window is disabled and says so', async () => {
    const { endpoint } = await endpoints.create({ url: receiver.script('/down', [503]) });
    // Failing since long before the (scaled) 5 days.
    await db.dataSource.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '30 days' WHERE id = $1`, [endpoint.id]);
    await emit('connection.connected', 'down');
    await waitFor(async () => (await delivery(endpoint.id))?.status === 'failed', { timeoutMs: 20_000, describe: 'the delivery to fail' });
    expect(await endpoints.get(endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'every delivery attempt failed for 5 days' });
    expect(receiver.at('/down')).toHaveLength(1);
  });
});
