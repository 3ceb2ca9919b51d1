import { Injectable } from '@nestjs/common';
import { connectionOf } from '@terra-connections/connections';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `access_revoked` -> revoked, and the connection's health data deleted as Terra recommends (terra-contract.md §5). Data
 * emitted after the revocation (a later re-consent) is kept; data events for a revoked connection are not
 * stored at all (health-data.handler.ts). The raw bodies of the user's processed webhook events hold the same
 * data and are emptied too (rows and dedup keys stay); this event's own row keeps its body as the record.
 */
@Injectable()
export class AccessRevokedHandler implements WebhookEventHandler<'access_revoked'> {
  readonly kinds = ['access_revoked'] as const;

  async handle({ inbox, event, state }: EventContextOf<'access_revoked'>): Promise<void> {
    await state.revoke(connectionOf(event.user), event.message ?? 'access revoked', inbox.eventAt);
    await state.erase(event.user.userId, { upTo: inbox.eventAt, keepEventId: inbox.id });
  }
}
