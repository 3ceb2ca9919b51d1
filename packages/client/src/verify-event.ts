import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { OutboundEvent } from './events';

/** Request headers as Node's `IncomingMessage` has them, or a fetch `Headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const SIGNED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Verifies one delivery of our events and returns the event, or throws WebhookVerificationError (answer it
 * 400). `rawBody` must be the bytes as received, before any JSON parsing. Pass several `whsec_...` secrets
 * during a rotation: the delivery verifies if it is signed with any of them. Standard Webhooks rules: a
 * signature of `webhook-id.webhook-timestamp.body`, the timestamp within 5 minutes of this clock.
 * Deduplicate on `event.id`; order by `event.data.sequence` per `connection_id`.
 */
export function verifyEvent(rawBody: string | Uint8Array, headers: WebhookHeaders, secrets: string | readonly string[]): OutboundEvent {
  const keys = typeof secrets === 'string' ? [secrets] : [...secrets];
  if (keys.length === 0) throw new Error('verifyEvent needs at least one endpoint secret');
  const signed = pickHeaders(headers);
  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  let failure: unknown;
  for (const secret of keys) {
    try {
      return new Webhook(secret).verify(body, signed) as OutboundEvent;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      failure = error;
    }
  }
  throw failure;
}

function pickHeaders(headers: WebhookHeaders): Record<string, string> {
  const read = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    const value = key === undefined ? undefined : record[key];
    return Array.isArray(value) ? value.join(' ') : value;
  };
  const picked: Record<string, string> = {};
  for (const name of SIGNED_HEADERS) {
    const value = read(name);
    if (value === undefined) throw new WebhookVerificationError(`Missing required header ${name}`);
    picked[name] = value;
  }
  return picked;
}
