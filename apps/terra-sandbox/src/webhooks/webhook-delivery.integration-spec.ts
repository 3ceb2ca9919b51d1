import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyTerraWebhookSignature } from 'terra-api';
import type { DeliveryAttempt } from './delivery-record';
import { startSandbox, TEST_WEBHOOK_SECRET, waitFor, type SandboxHarness } from '../testing/sandbox-harness';
import type { ReceivedWebhook } from '../testing/webhook-receiver';

type Seeded = { users: { user_id: string }[] };
type Delivery = {
  id: string;
  type: string;
  status: string;
  trace_id: string;
  terra_reference: string;
  ordering_timestamp: number | null;
  duplicate_of: string | null;
  attempts: DeliveryAttempt[];
};

describe('webhook delivery (terra-contract.md §4)', () => {
  let sandbox: SandboxHarness;
  let userId: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    userId = (await sandbox.control<Seeded>('POST', '/sandbox/users', { provider: 'FITBIT', reference_id: 'p-hooks', webhooks: false })).body.users[0].user_id;
  });
  afterEach(async () => {
    await sandbox.control('DELETE', '/sandbox/faults');
    await sandbox.control('PATCH', '/sandbox/settings', { time_scale: 0.001 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const push = async () => (await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${userId}/data`, { type: 'daily', days: 2 })).body.delivery;
  const delivery = async (id: string) => (await sandbox.control<Delivery>('GET', `/sandbox/deliveries/${id}`)).body;
  const settled = (id: string, status = 'delivered') =>
    waitFor(async () => {
      const record = await delivery(id);
      return record.status === status ? record : undefined;
    }, `delivery ${id} to be ${status}`);
  const tOf = (hook: ReceivedWebhook) => Number(/t=(\d+)/.exec(hook.headers['terra-signature'] as string)?.[1]);

  it('signs the exact bytes sent and sends every Terra header', async () => {
    const before = Date.now();
    const record = await push();
    const [hook] = await waitFor(() => {
      const hooks = sandbox.receiver.withTrace(record.trace_id);
      return hooks.length > 0 ? hooks : undefined;
    }, 'the data webhook');
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['x-terra-signature']).toBe(hook.headers['terra-signature']);
    expect(hook.headers['terra-signature']).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    await expect(verifyTerraWebhookSignature(hook.body, hook.headers['terra-signature'] as string, TEST_WEBHOOK_SECRET)).resolves.toBe(true);
    await expect(verifyTerraWebhookSignature(hook.body, hook.headers['terra-signature'] as string, 'another-secret')).rejects.toThrow();
    expect(hook.headers['terra-reference']).toBe(record.terra_reference);
    const ordering = Number(hook.headers['x-terra-ordering-timestamp']);
    expect(ordering).toBeGreaterThanOrEqual(before);
    expect(ordering).toBeLessThanOrEqual(Date.now());
    expect(hook.json).toMatchObject({ type: 'daily', version: '2022-03-16', user: { user_id: userId } });
    expect((await settled(record.id)).attempts).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 200, error: null, injected: false }),
    ]);
  });

  it('retries after a 500 with the same bytes, trace id and ordering timestamp but a fresh t', async () => {
    // Retry 1 comes 30 s x 0.04 = 1.2 s later, so the second attempt is signed in a later second.
    await sandbox.control('PATCH', '/sandbox/settings', { time_scale: 0.04 });
    sandbox.receiver.answerNext(500);
    const record = await push();
    const hooks = await waitFor(() => {
      const seen = sandbox.receiver.withTrace(record.trace_id);
      return seen.length === 2 ? seen : undefined;
    }, 'the retry');
    expect(hooks[1].body).toBe(hooks[0].body);
    expect(hooks[1].headers['x-terra-ordering-timestamp']).toBe(hooks[0].headers['x-terra-ordering-timestamp']);
    expect(hooks[1].headers['terra-reference']).toBe(hooks[0].headers['terra-reference']);
    expect(tOf(hooks[1])).toBeGreaterThan(tOf(hooks[0]));
    for (const hook of hooks) await verifyTerraWebhookSignature(hook.body, hook.headers['x-terra-signature'] as string, TEST_WEBHOOK_SECRET);
    const done = await settled(record.id);
    expect(done.attempts.map((a) => a.status_code)).toEqual([500, 200]);
    expect(done.attempts.map((a) => a.signature_timestamp)).toEqual(hooks.map(tOf));
  });

  it('treats a receiver that does not answer in time as failed and retries', async () => {
    sandbox.receiver.answerNext('hang');
    const record = await push();
    const done = await settled(record.id);
    expect(done.attempts[0]).toMatchObject({ status_code: null, error: expect.stringContaining('timeout') });
    expect(done.attempts[1]).toMatchObject({ status_code: 200 });
    expect(sandbox.receiver.withTrace(record.trace_id)).toHaveLength(2);
  });

  it('injected faults: a status is recorded without sending, a timeout is sent but retried', async () => {
    await sandbox.control('POST', '/sandbox/faults/webhook', { kind: 'status', status: 502, type: 'daily', count: 1 });
    await sandbox.control('POST', '/sandbox/faults/webhook', { kind: 'timeout', type: 'daily', count: 1 });
    const record = await push();
    const done = await settled(record.id);
    expect(done.attempts.map((a) => [a.status_code, a.injected])).toEqual([
      [502, true],
      [null, true],
      [200, false],
    ]);
    expect(sandbox.receiver.withTrace(record.trace_id)).toHaveLength(2);
  });

  it('gives up after 10 retries (11 attempts) on Terra schedule', async () => {
    await sandbox.control('PATCH', '/sandbox/settings', { time_scale: 0.00001 });
    await sandbox.control('POST', '/sandbox/faults/webhook', { kind: 'reset', type: 'connection_error', count: 20 });
    const { body } = await sandbox.control<{ delivery: Delivery }>('POST', `/sandbox/users/${userId}/connection-error`);
    const failed = await settled(body.delivery.id, 'failed');
    expect(failed.attempts).toHaveLength(11);
    expect(failed.attempts.every((a) => a.error === 'ECONNRESET (injected)')).toBe(true);
  });

  it('records connection errors when the destination is down', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await sandbox.control('PATCH', '/sandbox/settings', { time_scale: 0.00001, webhook_url: `http://127.0.0.1:${port}/nowhere` });
    try {
      const record = await push();
      const failed = await settled(record.id, 'failed');
      expect(failed.attempts[0].error).toBe('ECONNREFUSED');
    } finally {
      await sandbox.control('PATCH', '/sandbox/settings', { webhook_url: sandbox.config.SANDBOX_WEBHOOK_URL });
    }
  });

  it('sends any event again as a duplicate: same bytes, trace id, reference and ordering timestamp', async () => {
    const original = await settled((await push()).id);
    const { body: copy } = await sandbox.control<Delivery>('POST', `/sandbox/deliveries/${original.id}/duplicate`);
    expect(copy).toMatchObject({ duplicate_of: original.id, trace_id: original.trace_id, terra_reference: original.terra_reference, ordering_timestamp: original.ordering_timestamp });
    const hooks = await waitFor(() => {
      const seen = sandbox.receiver.withTrace(original.trace_id);
      return seen.length === 2 ? seen : undefined;
    }, 'the duplicate');
    expect(hooks[1].body).toBe(hooks[0].body);
  });

  it('delivers a batch out of order: newest first, told apart by x-terra-ordering-timestamp', async () => {
    const { body } = await sandbox.control<{ deliveries: Delivery[] }>('POST', `/sandbox/users/${userId}/out-of-order`, { type: 'daily', count: 3 });
    const hooks = body.deliveries.map((d) => sandbox.receiver.withTrace(d.trace_id)[0]);
    const stamps = hooks.map((hook) => Number(hook.headers['x-terra-ordering-timestamp']));
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
    expect(hooks[0].receivedAt).toBeLessThanOrEqual(hooks[2].receivedAt);
    const steps = hooks.map((hook) => ((hook.json.data as { distance_data: { steps: number } }[])[0]).distance_data.steps);
    expect(steps[0]).toBeGreaterThan(steps[2]); // the newest (largest) total arrived first
  });

  it('lists deliveries by user and type with every attempt', async () => {
    const { body } = await sandbox.control<{ deliveries: Delivery[] }>('GET', `/sandbox/deliveries?user_id=${userId}&type=daily&limit=500`);
    expect(body.deliveries.length).toBeGreaterThanOrEqual(8);
    expect(body.deliveries.every((d) => d.type === 'daily')).toBe(true);
    expect(body.deliveries.some((d) => d.attempts.length > 1)).toBe(true);
    const none = await sandbox.control<{ deliveries: Delivery[] }>('GET', '/sandbox/deliveries?user_id=nobody');
    expect(none.body.deliveries).toEqual([]);
  });
});
