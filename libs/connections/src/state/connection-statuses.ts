import { ConnectionStatus } from '@terra-connections/persistence';

/**
 * Statuses a Terra user id does not leave on its own: Terra deleted the id (a reconnect gets a new one), or we
 * ended it. No data is stored for them, no auth brings them back, a connection_error cannot degrade them.
 */
export const ENDED_STATUSES: readonly ConnectionStatus[] = [
  ConnectionStatus.Disconnected,
  ConnectionStatus.Revoked,
  ConnectionStatus.Replaced,
];

/** The statuses of a connection that still delivers (or may again, after a reconnect of the same id). */
export const LIVE_STATUSES: readonly ConnectionStatus[] = [ConnectionStatus.Active, ConnectionStatus.Error];

export function isEndedStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && (ENDED_STATUSES as readonly string[]).includes(status);
}

export function isLiveStatus(status: ConnectionStatus): boolean {
  return LIVE_STATUSES.includes(status);
}
