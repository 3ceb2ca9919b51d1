import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTerraConnectionsClient, verifyEvent } from '@terra-connections/client';
import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import { expectOk } from '../support/api-client';
import { E2eStack } from '../support/e2e-stack';

/**
 * A worker SIGKILLed while its delivery waits for the receiver's answer: another worker sends the event again
 * (same webhook-id) and it ends delivered. Nothing is lost between the outbox, the queue and the receiver.
 */
describe('outbound events: a worker killed mid-delivery', () => {
  const stack = new E2eStack({
    suite: 'e2e_event_delivery_crash',
    workers: 1,
    // The killed worker's job lock expires after 1 s (30 s by default), so the test need not wait long.
    env: { EVENT_DISPATCH_INTERVAL_MS: '100', EVENT_DELIVERY_LOCK_MS: '1000', EVENT_DELIVERY_TIMEOUT_MS: '15000' },
  });
  const requests: { webhookId: string; eventId: string }[] = [];
  const held: http.ServerResponse[] = [];
  let server: http.Server;
  let url = '';
  let secret = '';

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        // Every attempt, the one in flight when its worker dies and the one sent again, is signed and verifies.
        let eventId = 'unverified';
        try {
          eventId = verifyEvent(Buffer.concat(chunks), request.headers, secret).id;
        } catch {
          response.statusCode = 400;
        }
        requests.push({ webhookId: String(request.headers['webhook-id']), eventId });
        // The first attempt never gets an answer: its worker is killed while it waits.
        if (requests.length === 1) return void held.push(response);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    await stack.start();
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }, 60_000);

  it('the delivery in flight is sent again by another worker and ends delivered, with the same webhook-id', async () => {
    const admin = createTerraConnectionsClient({ baseUrl: stack.apiUrl, apiKey: TEST_ADMIN_KEY });
    const created = expectOk(await admin.POST('/v1/webhook-endpoints', { body: { url } }), 201, 'POST /v1/webhook-endpoints');
    secret = created.secret;
    const [{ event_id: eventId }]: { event_id: string }[] = await stack.db.dataSource.query(
      `INSERT INTO events (type, occurred_at, reference_id, data) VALUES ('connection.connected', now(), 'crash', '{}') RETURNING event_id`,
    );

    await waitFor(() => requests.length === 1, { timeoutMs: 15_000, describe: 'the first attempt to reach the receiver' });
    await stack.workers[0].kill();
    await stack.startWorker('worker-2');

    const delivered = await waitFor(
      async () => {
        const log = await admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: created.id } } });
        const [delivery] = expectOk(log, 200, 'GET /v1/webhook-endpoints/:id/deliveries').data;
        return delivery?.status === 'delivered' ? delivery : undefined;
      },
      { timeoutMs: 20_000, describe: 'the delivery to land through the new worker' },
    );
    expect(delivered).toMatchObject({ status: 'delivered', event_id: eventId });
    expect(requests).toEqual([
      { webhookId: eventId, eventId },
      { webhookId: eventId, eventId },
    ]);
  });
});
