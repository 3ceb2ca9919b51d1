import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTerraConnectionsClient, isOutboundEvent, verifyEvent, type FeedEvent, type OutboundEvent } from '@terra-connections/client';
import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import type { WidgetStarted } from '../support/api-client';
import { expectOk } from '../support/api-client';
import { E2eStack } from '../support/e2e-stack';
import { httpBrowser } from '../support/http-browser';

/**
 * A receiver over real HTTP that verifies every delivery with the client's `verifyEvent` (the standardwebhooks
 * library underneath) on the raw body, and answers 500 to the first attempt of every event (so each one is
 * delivered on a retry, with the same webhook-id), then 200.
 */
class VerifyingReceiver {
  secret = '';
  readonly attempts = new Map<string, number>();
  readonly delivered = new Map<string, OutboundEvent>();
  readonly webhookIds: string[] = [];
  rejected = 0;
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        let event: OutboundEvent;
        try {
          event = verifyEvent(Buffer.concat(chunks), request.headers, this.secret);
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

  // The typed client (packages/client) as an internal service uses it: the admin key for the endpoint routes.
  const admin = () => createTerraConnectionsClient({ baseUrl: stack.apiUrl, apiKey: TEST_ADMIN_KEY });

  const feed = async (): Promise<FeedEvent[]> => {
    const all: FeedEvent[] = [];
    let cursor: string | undefined;
    for (;;) {
      const answer = await stack.api.typed.GET('/v1/events', { params: { query: { reference_id: person, limit: 3, cursor } } });
      const page = expectOk(answer, 200, 'GET /v1/events');
      all.push(...page.data);
      cursor = page.next_cursor;
      if (page.data.length === 0) return all;
    }
  };

  it('connect, data, reauth, connection_error, disconnect: the expected events, verified, in sequence; the feed in order', async () => {
    const created = expectOk(
      await admin().POST('/v1/webhook-endpoints', { body: { url: receiver.url, description: 'e2e receiver' } }),
      201,
      'POST /v1/webhook-endpoints',
    );
    receiver.secret = created.secret;

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
    expect((await stack.api.typed.DELETE('/v1/connections/{id}', { params: { path: { id: second } } })).response.status).toBe(200);

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
    if (!isOutboundEvent(reconnected, 'connection.reconnected')) throw new Error(`expected connection.reconnected, got ${reconnected.type}`);
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
    const logged = await waitFor(
      async () => {
        const deliveries = await admin().GET('/v1/webhook-endpoints/{id}/deliveries', {
          params: { path: { id: created.id }, query: { status: 'delivered' } },
        });
        const data = expectOk(deliveries, 200, 'GET /v1/webhook-endpoints/:id/deliveries').data;
        return data.length >= everything.length ? data : undefined;
      },
      { timeoutMs: 10_000, describe: 'every delivery logged as delivered' },
    );
    expect(logged).toHaveLength(everything.length);
    for (const delivery of logged) expect(delivery.attempt_log.slice(0, 2).map((a) => a.status_code)).toEqual([500, 200]);
  });
});
