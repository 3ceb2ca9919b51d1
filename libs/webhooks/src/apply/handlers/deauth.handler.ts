import { Injectable } from '@nestjs/common';
import { ConnectionStatus } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { applyStatusChange } from '../connection-state.writer';
import { asObject, optionalString, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `deauth` -> disconnected. Usually follows our own DELETE by a few seconds (CONTRACT 2.3): then it is a
 * no-op. Other terminal states (revoked, replaced) say more than "disconnected" and are kept.
 */
@Injectable()
export class DeauthHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.Deauth];

  async handle({ event, tx }: EventContext): Promise<void> {
    const payload = asObject(event.payload);
    const user = requireUser(payload);
    await applyStatusChange(tx, {
      terraUserId: user.userId,
      provider: user.provider,
      referenceId: user.referenceId,
      scopes: null,
      status: ConnectionStatus.Disconnected,
      reason: optionalString(payload.message) ?? 'deauthenticated',
      eventAt: event.eventAt,
      unlessStatus: [ConnectionStatus.Disconnected, ConnectionStatus.Revoked, ConnectionStatus.Replaced],
    });
  }
}
