import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_ADMIN_KEY, waitFor } from '@terra-connections/testing';
import { E2eStack } from '../support/e2e-stack';
import { requestJson } from '../support/json-http';

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
  const requests: { webhookId: string }[] = [];
  const held: http.ServerResponse[] = [];
  let server: http.Server;
  let url = '';

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        requests.push({ webhookId: String(request.headers['webhook-id']) });
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
    const created = await requestJson<{ id: string }>(`${stack.apiUrl}/v1/webhook-endpoints`, {
      method: 'POST',
      body: { url },
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(created.status).toBe(201);
    const [{ event_id: eventId }]: { event_id: string }[] = await stack.db.dataSource.query(
      `INSERT INTO events (type, occurred_at, reference_id, data) VALUES ('connection.connected', now(), 'crash', '{}') RETURNING event_id`,
    );

    await waitFor(() => requests.length === 1, { timeoutMs: 15_000, describe: 'the first attempt to reach the receiver' });
    await stack.workers[0].kill();
    await stack.startWorker('worker-2');

    const delivered = await waitFor(
      async () => {
        const [row] = await stack.db.dataSource.query(`SELECT status FROM event_deliveries WHERE endpoint_id = $1`, [created.body.id]);
        return row?.status === 'delivered' ? row : undefined;
      },
      { timeoutMs: 20_000, describe: 'the delivery to land through the new worker' },
    );
    expect(delivered).toEqual({ status: 'delivered' });
    expect(requests.map((request) => request.webhookId)).toEqual([eventId, eventId]);
  });
});
