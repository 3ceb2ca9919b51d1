import { Injectable } from '@nestjs/common';
import { ConnectionStatus, lockTerraUser } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { applyStatusChange, type StatusChange } from '@terra-connections/connections';
import { asObject, readUser, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `user_reauth`: Terra deleted old_user and issued new_user for the same provider account (terra-contract.md §5-6).
 * Old id -> replaced (replaced_by = new id); new id -> active with the same reference_id and provider.
 * The new id's own `auth` may come before or after; both write with the ordering rule, so either order ends
 * active. `old_user` may be null (2026 API): then only the new id is written; we do not guess the old one.
 */
@Injectable()
export class UserReauthHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.UserReauth];

  async handle({ event, tx }: EventContext): Promise<void> {
    const payload = asObject(event.payload);
    const newUser = requireUser(payload, 'new_user');
    const oldUser = readUser(payload.old_user);
    // The applier holds the new id's lock; the old id's events must not interleave with its replacement.
    if (oldUser && oldUser.userId !== newUser.userId) await lockTerraUser(tx, oldUser.userId);
    const stored: { reference_id: string | null; provider: string }[] = oldUser
      ? await tx.query(`SELECT reference_id, provider FROM terra_connections WHERE terra_user_id = $1`, [oldUser.userId])
      : [];
    const referenceId = newUser.referenceId ?? oldUser?.referenceId ?? stored[0]?.reference_id ?? null;
    const provider = newUser.provider ?? oldUser?.provider ?? stored[0]?.provider ?? null;

    const changes: StatusChange[] = [
      {
        terraUserId: newUser.userId,
        provider,
        referenceId,
        scopes: newUser.scopes,
        status: ConnectionStatus.Active,
        reason: null,
        eventAt: event.eventAt,
      },
    ];
    if (oldUser && oldUser.userId !== newUser.userId) {
      changes.push({
        terraUserId: oldUser.userId,
        provider: oldUser.provider ?? provider,
        referenceId: oldUser.referenceId ?? referenceId,
        scopes: null,
        status: ConnectionStatus.Replaced,
        reason: `reauthenticated as ${newUser.userId}`,
        replacedBy: newUser.userId,
        eventAt: event.eventAt,
      });
    }
    // Rows locked in one global order, so two reauths of one chain applied at once cannot deadlock.
    changes.sort((a, b) => a.terraUserId.localeCompare(b.terraUserId));
    for (const change of changes) await applyStatusChange(tx, change);
  }
}
