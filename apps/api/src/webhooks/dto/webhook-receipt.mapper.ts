import type { WebhookReceipt } from '@terra-connections/webhook-ingest';
import type { WebhookReceiptResponse } from './webhook.responses';

/** Terra's answer: whether it was stored now or before, and its inbox id. Whether Redis took the job stays ours. */
export function toWebhookReceiptResponse(receipt: WebhookReceipt): WebhookReceiptResponse {
  return { status: receipt.status, event_id: receipt.eventId };
}
