import type { EndpointDelivery, WebhookEndpoint } from '@terra-connections/events';
import type { EndpointDeliveryResponse, WebhookEndpointResponse } from './webhook-endpoint.responses';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toWebhookEndpointResponse(endpoint: WebhookEndpoint): WebhookEndpointResponse {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    event_types: endpoint.eventTypes,
    include_data: endpoint.includeData,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

export function toEndpointDeliveryResponse(delivery: EndpointDelivery): EndpointDeliveryResponse {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    next_attempt_at: iso(delivery.nextAttemptAt),
    created_at: delivery.createdAt.toISOString(),
    delivered_at: iso(delivery.deliveredAt),
    attempt_log: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      status_code: attempt.statusCode,
      duration_ms: attempt.durationMs,
      error: attempt.error,
      next_attempt_at: iso(attempt.nextAttemptAt),
      attempted_at: attempt.attemptedAt.toISOString(),
    })),
  };
}
