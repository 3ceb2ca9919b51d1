import { Injectable } from '@nestjs/common';
import { ConnectionStatus } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { applyStatusChange } from '../connection-state.writer';
import { asObject, optionalString, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `connection_error` -> error with Terra's message. Not terminal: a later `auth` brings the id back. A
 * deleted id (disconnected, revoked, replaced) cannot degrade, so those are left alone.
 */
@Injectable()
export class ConnectionErrorHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.ConnectionError];

  async handle({ event, tx }: EventContext): Promise<void> {
    const payload = asObject(event.payload);
    const user = requireUser(payload);
    await applyStatusChange(tx, {
      terraUserId: user.userId,
      provider: user.provider,
      referenceId: user.referenceId,
      scopes: null,
      status: ConnectionStatus.Error,
      reason: optionalString(payload.message) ?? 'connection error',
      eventAt: event.eventAt,
      unlessStatus: [ConnectionStatus.Disconnected, ConnectionStatus.Revoked, ConnectionStatus.Replaced],
    });
  }
}
