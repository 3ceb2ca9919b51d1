import type { ConnectionStatus, TerraConnectionEntity } from '@terra-connections/persistence';

/** The API's `Connection` (snake_case, ISO-8601 timestamps or null). Part of the public HTTP contract. */
export interface ConnectionView {
  terra_user_id: string;
  reference_id: string | null;
  provider: string;
  status: ConnectionStatus;
  scopes: string[];
  connected_at: string | null;
  disconnected_at: string | null;
  last_webhook_at: string | null;
  last_sync_at: string | null;
  status_reason: string | null;
  replaced_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConnectionPage {
  data: ConnectionView[];
  next_cursor: string | null;
}

/** The entity, or a raw row with the same property names (the list query selects only these). */
export type ConnectionViewSource = Pick<
  TerraConnectionEntity,
  | 'terraUserId' | 'referenceId' | 'provider' | 'status' | 'scopes' | 'connectedAt' | 'disconnectedAt'
  | 'lastWebhookAt' | 'lastSyncAt' | 'statusReason' | 'replacedBy' | 'createdAt' | 'updatedAt'
>;

export function toConnectionView(row: ConnectionViewSource): ConnectionView {
  return {
    terra_user_id: row.terraUserId,
    reference_id: row.referenceId,
    provider: row.provider,
    status: row.status,
    scopes: row.scopes ?? [],
    connected_at: iso(row.connectedAt),
    disconnected_at: iso(row.disconnectedAt),
    last_webhook_at: iso(row.lastWebhookAt),
    last_sync_at: iso(row.lastSyncAt),
    status_reason: row.statusReason,
    replaced_by: row.replacedBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
