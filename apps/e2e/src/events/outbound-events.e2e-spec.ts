import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import type { WidgetStarted } from '../support/api-client';
import { expectStatus } from '../support/api-client';
import { E2eStack } from '../support/e2e-stack';
import { httpBrowser } from '../support/http-browser';
import { requestJson } from '../support/json-http';

interface Envelope {
  id: string;
  type: string;
  timestamp: string;
  data: { connection_id: string | null; terra_user_id: string | null; reference_id: string | null; sequence: number | null } & Record<string, unknown>;
}

/**
 * A receiver over real HTTP that verifies every delivery with the standardwebhooks library and answers 500 to
 * the first attempt of every event (so each one is delivered on a retry, with the same webhook-id), then 200.
 */
class VerifyingReceiver {
  secret = '';
  readonly attempts = new Map<string, number>();
  readonly delivered = new Map<string, Envelope>();
  readonly webhookIds: string[] = [];
  rejected = 0;
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        let event: Envelope;
        try {
          event = new Webhook(this.secret).verify(body, request.headers as Record<string, string>) as Envelope;
        } catch {
          this.rejected += 1;
          response.statusCode = 400;
          return void response.end();
        }
        const id = String(request.headers['webhook-id']);
        this.webhookIds.push(id);
        const attempt = (this.attempts.get(id) ?? 0) + 1;
        this.attempts.set(id, attempt);
        if (attempt === 1) {
          response.statusCode = 500;
          return void response.end('try again');
        }
        // An idempotent consumer: each event applied once, whatever the redeliveries.
        if (!this.delivered.has(event.id)) this.delivered.set(event.id, event);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/terra-events`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Outbound events across processes: the sandbox (Terra), the API and two workers from dist/, a receiver in this
 * process. A widget connect, data, a reauth, a connection_error and a DELETE: the receiver gets exactly the
 * expected types, verified, with increasing sequence numbers; the feed shows the same, in order.
 */
describe('outbound events: signed delivery and the feed, end to end', () => {
  const stack = new E2eStack({
    suite: 'e2e_outbound_events',
    workers: 2,
    env: { EVENT_DISPATCH_INTERVAL_MS: '100', EVENT_DELIVERY_RETRY_SCALE: '0.001' },
  });
  const person = `person-${randomBytes(4).toString('hex')}`;
  let receiver: VerifyingReceiver;

  beforeAll(async () => {
    receiver = await new VerifyingReceiver().start();
    await stack.start();
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    await receiver?.close();
  }, 60_000);

  const admin = (method: string, path: string, body?: unknown) =>
    requestJson<Record<string, unknown>>(`${stack.apiUrl}${path}`, { method, body, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });

  const feed = async (): Promise<Envelope[]> => {
    const all: Envelope[] = [];
    let cursor = '';
    for (;;) {
      const page = expectStatus(
        await stack.api.call<{ data: Envelope[]; next_cursor: string }>(
          'GET',
          `/v1/events?reference_id=${person}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ),
        200,
        'GET /v1/events',
      );
      all.push(...page.data);
      cursor = page.next_cursor;
      if (page.data.length === 0) return all;
    }
  };

  it('connect, data, reauth, connection_error, disconnect: the expected events, verified, in sequence; the feed in order', async () => {
    const created = await admin('POST', '/v1/webhook-endpoints', { url: receiver.url, description: 'e2e receiver' });
    expect(created.status).toBe(201);
    receiver.secret = created.body.secret as string;

    const started = await stack.api.startConnection<WidgetStarted>({ reference_id: person, providers: ['OURA'] });
    const list = await httpBrowser.open(started.url);
    const consent = await httpBrowser.followLink(list, 'provider-OURA');
    const outcome = await httpBrowser.submitForm(consent, 'allow-form', {});
    const first = outcome.location.searchParams.get('user_id') as string;
    await waitFor(async () => (await stack.api.connection(first))?.status === 'active', { timeoutMs: 15_000, describe: 'the connection' });

    await stack.sandbox.act('POST', `/sandbox/users/${first}/data`, { type: 'daily', days: 2 });
    await waitFor(async () => (await stack.api.healthData(first, 'daily')).length === 2, { timeoutMs: 15_000, describe: 'the data' });
    const reauth = await stack.sandbox.act<{ new_user_id: string }>('POST', `/sandbox/users/${first}/reauth`);
    const second = reauth.new_user_id;
    await waitFor(async () => (await stack.api.connection(first))?.terra_user_id === second, { timeoutMs: 15_000, describe: 'the reauth' });
    await stack.sandbox.act('POST', `/sandbox/users/${second}/connection-error`);
    await waitFor(async () => (await stack.api.connection(second))?.status === 'error', { timeoutMs: 15_000, describe: 'the error' });
    expect((await stack.api.call('DELETE', `/v1/connections/${second}`)).status).toBe(200);

    const expected = ['connection.connected', 'data.received', 'connection.reconnected', 'connection.errored', 'connection.disconnected'];
    const connectionId = (await stack.api.connection(second))?.connection_id as string;
    // Terra's deauth after our DELETE changes nothing, so it adds no event.
    const everything = await waitFor(async () => {
      const events = await feed();
      return events.filter((event) => event.data.connection_id === connectionId).length >= expected.length ? events : undefined;
    }, { timeoutMs: 15_000, describe: 'the feed to show the story' });
    const fromFeed = everything.filter((event) => event.data.connection_id === connectionId);
    expect(fromFeed.map((event) => event.type)).toEqual(expected);
    expect(fromFeed.map((event) => event.data.sequence)).toEqual([1, 2, 3, 4, 5]);
    const reconnected = fromFeed[2];
    expect(reconnected.data).toMatchObject({ terra_user_id: second, previous_terra_user_id: first });
    expect(fromFeed[4].data).toMatchObject({ disconnected_by: 'api' });
    // Terra sends the new id's auth beside the user_reauth; when a worker applied that auth first, the new id was
    // a connection of its own for a moment: announced once, and named by the reconnect that folded it in.
    const others = everything.filter((event) => event.data.connection_id !== connectionId);
    expect(others.map((event) => [event.type, event.data.connection_id])).toEqual(
      reconnected.data.merged_connection_id ? [['connection.connected', reconnected.data.merged_connection_id]] : [],
    );

    await waitFor(async () => receiver.delivered.size >= everything.length, { timeoutMs: 20_000, describe: 'every event delivered' });
    const received = [...receiver.delivered.values()].sort((a, b) => everything.findIndex((e) => e.id === a.id) - everything.findIndex((e) => e.id === b.id));
    expect(received).toEqual(everything);
    expect(receiver.rejected).toBe(0);
    // Each event: a 500, then a retry with the same webhook-id that was accepted.
    for (const event of everything) expect(receiver.webhookIds.filter((id) => id === event.id).length).toBeGreaterThanOrEqual(2);

    // The delivery log shows both attempts of each (the worker records the 200 just after the receiver answers it).
    type Logged = { attempts: number; attempt_log: { status_code: number }[] };
    const logged = await waitFor(
      async () => {
        const deliveries = await admin('GET', `/v1/webhook-endpoints/${created.body.id as string}/deliveries?status=delivered`);
        const data = deliveries.body.data as Logged[];
        return data.length >= everything.length ? data : undefined;
      },
      { timeoutMs: 10_000, describe: 'every delivery logged as delivered' },
    );
    expect(logged).toHaveLength(everything.length);
    for (const delivery of logged) expect(delivery.attempt_log.slice(0, 2).map((a) => a.status_code)).toEqual([500, 200]);
  });
});
