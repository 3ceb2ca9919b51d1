import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { isOutboundEvent } from './events';
import { verifyEvent } from './verify-event';

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;

const event = {
  id: 'evt_0a1b2c',
  type: 'connection.disconnected',
  timestamp: '2026-11-05T10:00:01.000Z',
  data: {
    connection_id: '6f1d2c3b-8a4e-4f01-9b2c-3d4e5f6a7b8c',
    terra_user_id: 'u1',
    reference_id: 'person',
    provider: 'OURA',
    sequence: 4,
    previous_status: 'active',
    reason: 'disconnected via API',
    disconnected_by: 'api',
  },
};
const body = JSON.stringify(event);

/** Headers as the delivery worker sends them: signed by the standardwebhooks library, one signature per secret. */
function signed(secrets: string[], at = new Date()): Record<string, string> {
  return {
    'webhook-id': event.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(event.id, at, body)).join(' '),
  };
}

describe('verifyEvent', () => {
  const current = secret();
  const previous = secret();

  it('returns the event of a delivery signed with the secret, typed by its type', () => {
    const verified = verifyEvent(body, signed([current]), current);
    expect(verified).toEqual(event);
    if (!isOutboundEvent(verified, 'connection.disconnected')) throw new Error('not narrowed');
    expect(verified.data.disconnected_by).toBe('api');
  });

  it('takes the raw bytes and either header shape (Node headers in any case, fetch Headers)', () => {
    const headers = signed([current]);
    const nodeStyle = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
    expect(verifyEvent(Buffer.from(body), nodeStyle, current)).toEqual(event);
    expect(verifyEvent(new TextEncoder().encode(body), new Headers(headers), [current])).toEqual(event);
  });

  it('during a rotation: a receiver with only the old secret, only the new one, or both, verifies; another secret does not', () => {
    const headers = signed([current, previous]);
    expect(verifyEvent(body, headers, previous)).toEqual(event);
    expect(verifyEvent(body, headers, current)).toEqual(event);
    expect(verifyEvent(body, signed([current]), [previous, current])).toEqual(event);
    expect(() => verifyEvent(body, headers, secret())).toThrow(WebhookVerificationError);
  });

  it('refuses a changed body, a changed id, an old timestamp, a missing header, and no secret at all', () => {
    const headers = signed([current]);
    expect(() => verifyEvent(body.replace('"api"', '"deauth"'), headers, current)).toThrow(WebhookVerificationError);
    expect(() => verifyEvent(body, { ...headers, 'webhook-id': 'evt_other' }, current)).toThrow(WebhookVerificationError);
    expect(() => verifyEvent(body, signed([current], new Date(Date.now() - 10 * 60_000)), current)).toThrow(/timestamp/i);
    const { 'webhook-signature': _dropped, ...unsigned } = headers;
    expect(() => verifyEvent(body, unsigned, current)).toThrow(/webhook-signature/);
    expect(() => verifyEvent(body, headers, [])).toThrow(/at least one/);
  });
});
