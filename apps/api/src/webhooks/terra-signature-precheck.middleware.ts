import { Logger } from '@nestjs/common';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { MetricsService } from '@terra-connections/observability';
import { parseTerraSignatureHeader, terraSignatureHeader } from '@terra-connections/terra';

const UNAUTHORIZED_BODY = JSON.stringify({
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Invalid or missing Terra webhook signature',
});

const logger = new Logger('TerraSignaturePrecheck');

/**
 * Header-only gate in front of the webhook body (TerraWebhookListener): a request with no signature header, a
 * header without a usable `t=`/`v1=`, or a `t` outside the tolerance is answered 401 before a byte of its body
 * is read, so an unsigned caller cannot make us buffer WEBHOOK_BODY_LIMIT bytes. It proves nothing by itself:
 * the receiver still verifies the HMAC over the body (and repeats these checks). Returns true when it answered.
 */
export function refusedBeforeBody(
  headers: IncomingHttpHeaders,
  res: ServerResponse,
  toleranceSeconds: number,
  metrics?: MetricsService,
): boolean {
  const failure = signaturePrecheckFailure(headers, toleranceSeconds);
  if (!failure) return false;
  metrics?.countWebhook(undefined, 'rejected_signature');
  logger.warn(`Rejected a Terra webhook before reading its body: signature ${failure}`);
  // Connection: close, so the unread body is dropped with the socket instead of being drained.
  res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(UNAUTHORIZED_BODY), connection: 'close' });
  res.end(UNAUTHORIZED_BODY);
  return true;
}

/** Why the headers alone already fail the signature check, or undefined when the body is worth reading. */
function signaturePrecheckFailure(
  headers: IncomingHttpHeaders,
  toleranceSeconds: number,
): 'missing' | 'malformed' | 'expired' | undefined {
  const header = terraSignatureHeader(headers);
  if (!header) return 'missing';
  const parts = parseTerraSignatureHeader(header);
  if (!parts) return 'malformed';
  return Math.abs(Date.now() / 1000 - parts.timestampSeconds) > toleranceSeconds ? 'expired' : undefined;
}
