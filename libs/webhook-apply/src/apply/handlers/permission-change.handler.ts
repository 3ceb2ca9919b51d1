import { Injectable } from '@nestjs/common';
import { TerraEventType } from '@terra-connections/terra';
import { asObject, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `permission_change` -> scopes replaced by `user.scopes` (the new full set; scopes_added/removed are only
 * the diff). Status unchanged. An event older than the stored scopes (set by a newer permission_change or
 * auth: scopes_changed_at) is ignored; for rows whose scopes predate that column, the last status change
 * stands in for it, as before.
 */
@Injectable()
export class PermissionChangeHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.PermissionChange];

  async handle({ event, tx }: EventContext): Promise<void> {
    const user = requireUser(asObject(event.payload));
    if (user.scopes === null) return;
    await tx.query(
      `UPDATE terra_connections SET scopes = $2, scopes_changed_at = $3, updated_at = now()
       WHERE terra_user_id = $1
         AND (COALESCE(scopes_changed_at, status_changed_at) IS NULL OR COALESCE(scopes_changed_at, status_changed_at) <= $3)`,
      [user.userId, user.scopes, event.eventAt],
    );
  }
}
