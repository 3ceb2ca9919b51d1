import { randomUUID } from 'node:crypto';

/** The inbox writer (API side), as much of it as this needs: worker-side code does not import the API's libs. */
interface Inbox {
  record(delivery: { rawBody: string; traceId: string; terraReference?: string; orderingTimestampMs?: number; signatureTimestampSeconds: number }): Promise<{ id: string }>;
}

export interface StoredDeliveryOptions {
  /** x-terra-ordering-timestamp; also the signature time when given. */
  orderingTimestampMs?: number;
  terraReference?: string;
}

/**
 * Test-only (kept out of dist): a Terra delivery stored in the inbox as the API stores it (Postgres reads the
 * envelope from the body), under a fresh trace id. Returns the inbox row id for the applier.
 */
export async function storeDelivery(writer: Inbox, payload: unknown, options: StoredDeliveryOptions = {}): Promise<string> {
  const { id } = await writer.record({
    rawBody: typeof payload === 'string' ? payload : JSON.stringify(payload),
    traceId: randomUUID(),
    terraReference: options.terraReference,
    orderingTimestampMs: options.orderingTimestampMs,
    signatureTimestampSeconds: Math.floor((options.orderingTimestampMs ?? Date.now()) / 1000),
  });
  return id;
}
