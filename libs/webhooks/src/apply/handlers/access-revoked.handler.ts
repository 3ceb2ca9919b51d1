import { Injectable } from '@nestjs/common';
import { ConnectionStatus } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { applyStatusChange } from '../connection-state.writer';
import { asObject, optionalString, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `access_revoked` -> revoked, and the user's health data deleted as Terra recommends (CONTRACT 5). Data
 * emitted after the revocation (a later re-consent) is kept; data events for a revoked connection are not
 * stored at all (health-data.handler.ts).
 */
@Injectable()
export class AccessRevokedHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.AccessRevoked];

  async handle({ event, tx }: EventContext): Promise<void> {
    const payload = asObject(event.payload);
    const user = requireUser(payload);
    await applyStatusChange(tx, {
      terraUserId: user.userId,
      provider: user.provider,
      referenceId: user.referenceId,
      scopes: null,
      status: ConnectionStatus.Revoked,
      reason: optionalString(payload.message) ?? 'access revoked',
      eventAt: event.eventAt,
    });
    await tx.query(`DELETE FROM health_data WHERE terra_user_id = $1 AND event_at <= $2`, [user.userId, event.eventAt]);
  }
}
