import type { Connection } from '@terra-connections/connections';
import type { ConnectionResponse } from './connection.response';

/**
 * The wire `Connection` (ConnectionResponse): snake_case, ISO-8601 timestamps or null, fields in the order
 * clients have always seen. Built straight from the lib's row: the listing's one object per row.
 */
export function toConnectionResponse(connection: Connection): ConnectionResponse {
  return {
    terra_user_id: connection.terraUserId,
    reference_id: connection.referenceId,
    provider: connection.provider,
    status: connection.status,
    scopes: connection.scopes ?? [],
    connected_at: iso(connection.connectedAt),
    disconnected_at: iso(connection.disconnectedAt),
    last_webhook_at: iso(connection.lastWebhookAt),
    last_sync_at: iso(connection.lastSyncAt),
    status_reason: connection.statusReason,
    replaced_by: connection.replacedBy,
    created_at: connection.createdAt.toISOString(),
    updated_at: connection.updatedAt.toISOString(),
  };
}

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
