import { Injectable } from '@nestjs/common';
import { ConnectionStatus } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { ENDED_STATUSES } from '@terra-connections/connections';
import { applyUserStatusEvent } from '../user-status-event';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `deauth` -> disconnected. Usually follows our own DELETE by a few seconds (terra-contract.md §2.3): then it is a
 * no-op. Other terminal states (revoked, replaced) say more than "disconnected" and are kept.
 */
@Injectable()
export class DeauthHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.Deauth];

  async handle({ event, tx }: EventContext): Promise<void> {
    await applyUserStatusEvent(tx, event, {
      status: ConnectionStatus.Disconnected,
      defaultReason: 'deauthenticated',
      unlessStatus: ENDED_STATUSES,
    });
  }
}
