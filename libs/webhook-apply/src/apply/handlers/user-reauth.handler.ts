import { Injectable } from '@nestjs/common';
import { connectionOf } from '@terra-connections/connections';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `user_reauth`: Terra deleted old_user and issued new_user for the same provider account (terra-contract.md §5-6).
 * Old id -> replaced (replaced_by = new id); new id -> active with the same reference_id and provider, in the
 * old id's connection (its connection_id stays; the health data of both ids becomes one connection's).
 * The new id's own `auth` may come before or after; both write with the ordering rule, so either order ends
 * active, and chains of any length in any order end as one connection. `old_user` may be null (2026 API): then only the new id is written; we do not guess the old one.
 * The applier holds the new id's lock; the state module locks the old one.
 */
@Injectable()
export class UserReauthHandler implements WebhookEventHandler<'user_reauth'> {
  readonly kinds = ['user_reauth'] as const;

  async handle({ inbox, event, state }: EventContextOf<'user_reauth'>): Promise<void> {
    await state.replace(connectionOf(event.newUser), event.oldUser && connectionOf(event.oldUser), inbox.eventAt);
  }
}
