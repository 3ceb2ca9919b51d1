import { createHmac } from 'node:crypto';

/**
 * `terra-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` (terra-contract.md §4). The body
 * passed here must be the exact string whose UTF-8 bytes are sent.
 */
export function terraSignatureHeader(body: string, secret: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}
