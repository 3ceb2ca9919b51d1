import type { Connection, ConnectionDetail } from '@terra-connections/connections';
import type { ConnectionDetailResponse, ConnectionResponse, ConnectionStatusValue } from './connection.response';

/**
 * The wire `Connection` (ConnectionResponse): snake_case, ISO-8601 timestamps or null, fields in the order
 * clients have always seen. Built straight from the lib's row: the listing's one object per row.
 */
export function toConnectionResponse(connection: Connection): ConnectionResponse {
  return {
    connection_id: connection.connectionId,
    terra_user_id: connection.terraUserId,
    terra_user_ids: connection.terraUserIds,
    reference_id: connection.referenceId,
    provider: connection.provider,
    status: connection.status as ConnectionStatusValue,
    scopes: connection.scopes ?? [],
    connected_at: iso(connection.connectedAt),
    disconnected_at: iso(connection.disconnectedAt),
    last_webhook_at: iso(connection.lastWebhookAt),
    last_sync_at: iso(connection.lastSyncAt),
    status_reason: connection.statusReason,
    created_at: connection.createdAt.toISOString(),
    updated_at: connection.updatedAt.toISOString(),
    freshness: connection.freshness,
    last_data_at: iso(connection.lastDataAt),
  };
}

/** The single connection: the Connection, and its freshness per data type. */
export function toConnectionDetailResponse(connection: ConnectionDetail): ConnectionDetailResponse {
  return {
    ...toConnectionResponse(connection),
    freshness_types: connection.freshnessTypes.map((type) => ({
      type: type.type,
      last_received_at: type.lastReceivedAt.toISOString(),
      last_data_time: iso(type.lastDataTime),
      window_ms: Number(type.windowMs),
      learned: type.learned,
      expected: type.expected,
      overdue: type.overdue,
    })),
  };
}

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
