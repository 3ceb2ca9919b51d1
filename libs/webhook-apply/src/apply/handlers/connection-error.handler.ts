import { Injectable } from '@nestjs/common';
import { ConnectionStatus } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { ENDED_STATUSES } from '@terra-connections/connections';
import { applyUserStatusEvent } from '../user-status-event';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `connection_error` -> error with Terra's message. Not terminal: a later `auth` brings the id back. A
 * deleted id (disconnected, revoked, replaced) cannot degrade, so those are left alone.
 */
@Injectable()
export class ConnectionErrorHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.ConnectionError];

  async handle({ event, tx }: EventContext): Promise<void> {
    await applyUserStatusEvent(tx, event, {
      status: ConnectionStatus.Error,
      defaultReason: 'connection error',
      unlessStatus: ENDED_STATUSES,
    });
  }
}
