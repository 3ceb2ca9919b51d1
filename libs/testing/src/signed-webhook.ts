import { createHmac } from 'node:crypto';
import { TEST_WEBHOOK_SECRET } from './test-env';

/** `t=<seconds>,v1=<hex HMAC-SHA256 of t + "." + body>` exactly as Terra signs (terra-contract.md §4). */
export function signTerraBody(body: string | Buffer, secret: string = TEST_WEBHOOK_SECRET, t: number = Math.floor(Date.now() / 1000)): string {
  const hmac = createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body).digest('hex');
  return `t=${t},v1=${hmac}`;
}

export interface PostWebhookOptions {
  secret?: string;
  /** Signature time (unix seconds); now by default. */
  t?: number;
  /** x-terra-trace-id; none by default (the inbox then dedups on the body hash). */
  traceId?: string;
  /** x-terra-ordering-timestamp, unix ms. */
  orderingTimestamp?: number;
  terraReference?: string;
  /** Replaces the computed signature header value; `null` sends none. */
  signature?: string | null;
  /** Extra or overriding headers. */
  headers?: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

/** Signs and POSTs one delivery to `${baseUrl}/webhooks/terra`, as Terra (and the sandbox) sends it. */
export async function postWebhook(
  baseUrl: string,
  body: string | Buffer | object,
  options: PostWebhookOptions = {},
): Promise<WebhookResponse> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const signature = options.signature === undefined ? signTerraBody(payload, options.secret, options.t) : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) {
    headers['terra-signature'] = signature;
    headers['x-terra-signature'] = signature;
  }
  if (options.traceId) headers['x-terra-trace-id'] = options.traceId;
  if (options.orderingTimestamp !== undefined) headers['x-terra-ordering-timestamp'] = String(options.orderingTimestamp);
  if (options.terraReference) headers['terra-reference'] = options.terraReference;
  Object.assign(headers, options.headers);
  const res = await fetch(`${baseUrl.replace(/\/$/, '')}/webhooks/terra`, {
    method: 'POST',
    headers,
    body: typeof payload === 'string' ? payload : new Uint8Array(payload),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}
