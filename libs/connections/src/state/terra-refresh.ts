import { ConnectionStatus } from '@terra-connections/persistence';
import { parseTerraScopes, type TerraUser } from '@terra-connections/terra';
import { isEndedStatus } from './connection-statuses';

/** Persisted in status_reason; callers may match on them. */
export const NOT_FOUND_AT_TERRA = 'Terra no longer knows this user (found on refresh)';
export const INACTIVE_AT_TERRA = 'Terra reports the connection inactive: the user must reconnect';

/** The columns a refresh compares with Terra's answer. */
export interface RefreshedRow {
  provider: string;
  reference_id: string | null;
  scopes: string[];
  last_webhook_at: Date | null;
  status: ConnectionStatus;
  connected_at: Date | null;
}

/** The columns a refresh may write, by their column names. */
export interface RefreshPatch {
  provider?: string;
  reference_id?: string;
  scopes?: string[];
  last_webhook_at?: Date;
  status?: ConnectionStatus;
  status_reason?: string | null;
  status_changed_at?: Date;
  connected_at?: Date;
  disconnected_at?: Date | null;
}

export const REFRESH_COLUMNS: readonly (keyof RefreshPatch)[] = [
  'provider',
  'reference_id',
  'scopes',
  'last_webhook_at',
  'status',
  'status_reason',
  'status_changed_at',
  'connected_at',
  'disconnected_at',
];

/**
 * What Terra's userInfo answer changes in the row. An ended row (replaced, disconnected, revoked) keeps its
 * status: Terra may still list a user we disconnected a moment ago, and a replaced id is superseded for good.
 */
export function patchFromTerra(row: RefreshedRow, user: TerraUser, now: Date): RefreshPatch {
  const patch: RefreshPatch = {};
  if (user.provider && user.provider.toUpperCase() !== row.provider) patch.provider = user.provider.toUpperCase();
  if (user.reference_id && user.reference_id !== row.reference_id) patch.reference_id = user.reference_id;
  const scopes = parseTerraScopes(user.scopes);
  if (scopes && scopes.join(',') !== row.scopes.join(',')) patch.scopes = scopes;
  const lastWebhook = user.last_webhook_update ? new Date(user.last_webhook_update) : null;
  if (lastWebhook && !Number.isNaN(lastWebhook.getTime()) && (!row.last_webhook_at || lastWebhook > row.last_webhook_at)) {
    patch.last_webhook_at = lastWebhook;
  }
  if (!isEndedStatus(row.status)) {
    const status = user.active === false ? ConnectionStatus.Error : ConnectionStatus.Active;
    if (status !== row.status) {
      patch.status = status;
      patch.status_reason = status === ConnectionStatus.Active ? null : INACTIVE_AT_TERRA;
      patch.status_changed_at = now;
      if (status === ConnectionStatus.Active) {
        patch.disconnected_at = null;
        if (!row.connected_at) patch.connected_at = now;
      }
    }
  }
  return patch;
}

/** Terra answered 404: the user is gone there, so a live row is disconnected; an ended one stays as it is. */
export function patchForMissingUser(row: RefreshedRow, now: Date): RefreshPatch {
  if (isEndedStatus(row.status)) return {};
  return { status: ConnectionStatus.Disconnected, status_reason: NOT_FOUND_AT_TERRA, status_changed_at: now, disconnected_at: now };
}
