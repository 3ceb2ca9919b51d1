import { Injectable } from '@nestjs/common';
import { connectionOf } from '@terra-connections/connections';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `deauth` -> disconnected. Usually follows our own DELETE by a few seconds (terra-contract.md §2.3): then it is a
 * no-op. Other terminal states (revoked, replaced) say more than "disconnected" and are kept.
 */
@Injectable()
export class DeauthHandler implements WebhookEventHandler<'deauth'> {
  readonly kinds = ['deauth'] as const;

  async handle({ inbox, event, state }: EventContextOf<'deauth'>): Promise<void> {
    await state.disconnect(connectionOf(event.user), event.message ?? 'deauthenticated', inbox.eventAt);
  }
}
