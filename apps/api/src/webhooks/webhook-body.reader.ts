import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { InflightBudget } from '@terra-connections/webhook-ingest';

/** What TerraWebhookListener answers instead of reading on: the status, the message, and how to end. */
export class BodyRefusal extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 503,
    message: string,
    /** Nothing (or not all) of the body was read: the answer closes the connection instead of draining it. */
    readonly closeConnection: boolean,
  ) {
    super(message);
    this.name = 'BodyRefusal';
  }
}

export interface WebhookBody {
  /** The exact bytes Terra signed (inflated when the delivery was content-encoded). */
  bytes: Buffer;
  /** Gives the budget back: call once the delivery is answered. */
  release(): void;
}

export interface ReadOptions {
  limit: number;
  budget: InflightBudget;
}

const TOO_LARGE = 'Request body is too large';
export const BUDGET_FULL_MESSAGE = 'Too many webhook bodies in flight; retry later';

function decoderFor(encoding: string): Transform | null | undefined {
  switch (encoding) {
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads a webhook body within WEBHOOK_BODY_LIMIT and the process's in-flight budget, deciding as early as the
 * headers allow: an unsupported encoding (415), a declared length over the limit (413) or over what the budget
 * has left (503) is refused before a byte is read. Bytes are reserved as they arrive (inflated bytes for an
 * encoded body), not when declared: a sender that declares 49 MB and trickles holds only what it has sent, so
 * slow senders cannot park the budget and refuse Terra's deliveries. A decompression bomb stops at the limit
 * (413); a body that outgrows the budget mid-way is refused (503). Chunks are joined once the body is
 * complete: nothing is allocated for bytes only declared, or a thousand idle senders each declaring 49 MB would
 * have the process map 49 GB (no memory touched, but each mapping and V8's external-memory accounting stalled the
 * event loop for seconds).
 */
export function readWebhookBody(req: IncomingMessage, { limit, budget }: ReadOptions): Promise<WebhookBody> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
  const decoder = decoderFor(encoding);
  if (decoder === undefined) {
    return Promise.reject(new BodyRefusal(415, `Unsupported Content-Encoding: send gzip, deflate, br or none`, true));
  }
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  let reserved = 0;
  const release = () => {
    budget.release(reserved);
    reserved = 0;
  };
  const whole = decoder === null && declared !== undefined ? declared : undefined;
  if (whole !== undefined && whole > limit) return Promise.reject(new BodyRefusal(413, TOO_LARGE, true));
  if (declared !== undefined && declared > budget.available) return Promise.reject(new BodyRefusal(503, BUDGET_FULL_MESSAGE, true));

  return new Promise<WebhookBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let wire = 0;
    let settled = false;
    const source = decoder ?? req;

    const cleanup = () => {
      source.removeListener('data', onData);
      source.removeListener('end', onEnd);
      source.removeListener('error', onSourceError);
      req.removeListener('aborted', onAborted);
      req.removeListener('error', onAborted);
      req.removeListener('data', onWire);
      if (decoder) {
        req.unpipe(decoder);
        decoder.on('error', () => undefined);
        decoder.destroy();
      }
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      release();
      // Anything still arriving is discarded, not kept, so the sender can read our answer.
      if (!req.complete) req.resume();
      reject(error);
    };
    const onWire = (chunk: Buffer) => {
      // Compressed bytes count against the limit too: a stream that inflates to nothing is still a stream.
      wire += chunk.length;
      if (wire > limit) fail(new BodyRefusal(413, TOO_LARGE, false));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return fail(new BodyRefusal(413, TOO_LARGE, false));
      if (!budget.tryReserve(chunk.length)) return fail(new BodyRefusal(503, BUDGET_FULL_MESSAGE, false));
      reserved += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      resolve({ bytes, release });
    };
    const onSourceError = (error: Error) => {
      if (decoder && source === decoder) {
        return fail(new BodyRefusal(400, 'Request body could not be decompressed: it is not valid data for its Content-Encoding', false));
      }
      fail(error);
    };
    const onAborted = () => fail(new Error('the client aborted the request'));

    source.on('data', onData);
    source.once('end', onEnd);
    source.on('error', onSourceError);
    req.once('aborted', onAborted);
    req.once('error', onAborted);
    if (decoder) {
      req.on('data', onWire);
      req.pipe(decoder);
    }
  });
}
