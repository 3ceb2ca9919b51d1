import { verifyTerraWebhookSignature, WebhookVerificationError } from 'terra-api';

/** Headers Terra signs with (CONTRACT 4): the 2026 canonical one first, the deprecated duplicate second. */
export const TERRA_SIGNATURE_HEADERS = ['x-terra-signature', 'terra-signature'] as const;

export type TerraSignatureFailure = 'missing' | 'mismatch' | 'expired';

export class TerraSignatureError extends Error {
  constructor(readonly failure: TerraSignatureFailure) {
    super(`Terra webhook signature ${failure}`);
    this.name = 'TerraSignatureError';
  }
}

/** The signature header value, read the way CONTRACT 4 says: `x-terra-signature`, else `terra-signature`. */
export function terraSignatureHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const name of TERRA_SIGNATURE_HEADERS) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first && first.trim().length > 0) return first;
  }
  return undefined;
}

/** The parts of a `t=<s>,v1=<hex>[,v1=<hex>...]` header. */
export interface TerraSignatureParts {
  timestampSeconds: number;
  signatures: string[];
}

/**
 * Parses a signature header; undefined unless it has exactly one numeric `t=` and at least one `v1=`. Two
 * `t=` are refused outright: we would read the first while the SDK verifies against the last, so the time we
 * store (the event's ordering time) would not be the signed one.
 */
export function parseTerraSignatureHeader(header: string): TerraSignatureParts | undefined {
  let timestamp: string | undefined;
  let timestamps = 0;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, ...rest] = part.trim().split('=');
    const value = rest.join('=').trim();
    if (key.trim() === 't') {
      timestamps += 1;
      timestamp = value;
    } else if (key.trim() === 'v1' && value.length > 0) {
      signatures.push(value);
    }
  }
  if (timestamps !== 1 || !timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) return undefined;
  return { timestampSeconds: Number(timestamp), signatures };
}

/** The `t=` (unix seconds) of a well-formed header (see parseTerraSignatureHeader); undefined otherwise. */
export function signatureTimestamp(header: string): number | undefined {
  return parseTerraSignatureHeader(header)?.timestampSeconds;
}

/**
 * Verifies a Terra webhook over the exact bytes received, with the SDK's own check (HMAC-SHA256 of
 * `t + "." + body`, constant-time, any `v1` may match, |now - t| <= tolerance). Tries each secret in turn so
 * a rotation (TERRA_WEBHOOK_SECRET_PREVIOUS) loses nothing. Resolves with `t`; throws TerraSignatureError.
 *
 * The SDK signature is (body, header, secret): Terra's own 2026 sample passes the header first and treats the
 * result as a boolean; the SDK throws instead of returning false (CONTRACT 4).
 */
export async function verifyTerraSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
): Promise<{ timestampSeconds: number }> {
  if (!header || rawBody.length === 0) throw new TerraSignatureError('missing');
  if (!parseTerraSignatureHeader(header)) throw new TerraSignatureError('mismatch');
  const body = rawBody.toString('utf8');
  let failure: TerraSignatureFailure = 'mismatch';
  for (const secret of secrets) {
    try {
      await verifyTerraWebhookSignature(body, header, secret, { tolerance: toleranceSeconds });
      const timestampSeconds = signatureTimestamp(header);
      if (timestampSeconds === undefined) throw new TerraSignatureError('mismatch');
      return { timestampSeconds };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      // The SDK checks the HMAC before the age: a "too old / too far in future" means this secret matched.
      if (/timestamp too (old|far)/i.test(error.message)) failure = 'expired';
    }
  }
  throw new TerraSignatureError(failure);
}
