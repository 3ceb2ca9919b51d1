import { Injectable } from '@nestjs/common';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `permission_change` -> scopes replaced by `user.scopes` (the new full set; scopes_added/removed are only
 * the diff). Status unchanged; an event older than the stored scopes is ignored (the state module's rule).
 * A user without a scopes string says nothing about them.
 */
@Injectable()
export class PermissionChangeHandler implements WebhookEventHandler<'permission_change'> {
  readonly kinds = ['permission_change'] as const;

  async handle({ inbox, event, state }: EventContextOf<'permission_change'>): Promise<void> {
    if (event.user.scopes === null) return;
    await state.changeScopes(event.user.userId, event.user.scopes, inbox.eventAt);
  }
}
