import type { ConnectionStatus } from '@terra-connections/persistence';
import { applyStatusChange } from '@terra-connections/connections';
import type { EntityManager } from 'typeorm';
import { asObject, optionalString, requireUser } from './terra-payload';

/**
 * The shape shared by the user-level status events (deauth, access_revoked, connection_error): read `user`,
 * take Terra's message as the reason, move the status if the event is newer. Returns the Terra user id.
 */
export async function applyUserStatusEvent(
  tx: EntityManager,
  event: { payload: unknown; eventAt: Date },
  change: { status: ConnectionStatus; defaultReason: string; unlessStatus?: readonly ConnectionStatus[] },
): Promise<string> {
  const payload = asObject(event.payload);
  const user = requireUser(payload);
  await applyStatusChange(tx, {
    terraUserId: user.userId,
    provider: user.provider,
    referenceId: user.referenceId,
    scopes: null,
    status: change.status,
    reason: optionalString(payload.message) ?? change.defaultReason,
    eventAt: event.eventAt,
    unlessStatus: change.unlessStatus,
  });
  return user.userId;
}
