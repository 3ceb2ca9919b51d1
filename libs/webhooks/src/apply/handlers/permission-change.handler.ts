import { Injectable } from '@nestjs/common';
import { TerraEventType } from '@terra-connections/terra';
import { asObject, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `permission_change` -> scopes replaced by `user.scopes` (the new full set; scopes_added/removed are only
 * the diff). Status unchanged. An event older than the connection's last status change (whose auth carried
 * fresher scopes) is ignored.
 */
@Injectable()
export class PermissionChangeHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.PermissionChange];

  async handle({ event, tx }: EventContext): Promise<void> {
    const user = requireUser(asObject(event.payload));
    if (user.scopes === null) return;
    await tx.query(
      `UPDATE terra_connections SET scopes = $2, updated_at = now()
       WHERE terra_user_id = $1 AND (status_changed_at IS NULL OR status_changed_at <= $3)`,
      [user.userId, user.scopes, event.eventAt],
    );
  }
}
