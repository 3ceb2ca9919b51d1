/** An outbound webhook endpoint, as the API shows it (never its secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  /** null: every event type. */
  eventTypes: string[] | null;
  includeData: boolean;
  enabled: boolean;
  /** Why it was disabled (by a 410, or by hand): null while enabled. */
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const WEBHOOK_ENDPOINT_COLUMNS = `id, url, description, event_types AS "eventTypes", include_data AS "includeData", enabled,
  disabled_reason AS "disabledReason", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Whether an endpoint subscribed to `type`. */
export function endpointWants(eventTypes: readonly string[] | null, type: string): boolean {
  return eventTypes === null || eventTypes.includes(type);
}

/** Set when a 410 Gone disabled it; matched by nothing, read by people. */
export const DISABLED_BY_GONE = 'the endpoint answered 410 Gone';
