import type { ReplayResult, ReplayTotals, WebhookEventSummary } from '@terra-connections/webhook-ingest';
import type { ReplayFailedResponse, ReplayResultResponse, WebhookEventResponse } from './webhook.responses';

export function toWebhookEventResponse(event: WebhookEventSummary): WebhookEventResponse {
  return {
    id: event.id,
    type: event.type,
    terra_user_id: event.terraUserId,
    status: event.status,
    attempts: event.attempts,
    duplicate_count: event.duplicateCount,
    last_error: event.lastError,
    received_at: event.receivedAt.toISOString(),
    event_at: event.eventAt.toISOString(),
    processed_at: event.processedAt?.toISOString() ?? null,
  };
}

export function toReplayResultResponse(result: ReplayResult): ReplayResultResponse {
  return { id: result.eventId, status: result.status, enqueued: result.enqueued };
}

export function toReplayFailedResponse(totals: ReplayTotals): ReplayFailedResponse {
  return { replayed: totals.replayed, enqueued: totals.enqueued };
}
