import { Injectable, Logger } from '@nestjs/common';
import { AttemptKind, AttemptStatus, ConnectionStatus } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { settleConnectionAttempt } from '@terra-connections/connections';
import { applyStatusChange, ENDED_STATUSES } from '@terra-connections/connections';
import { PermanentEventError } from '../permanent-event.error';
import { asObject, optionalString, readUser, requireUser, type JsonObject } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

const ALL_KINDS = [AttemptKind.Widget, AttemptKind.Direct, AttemptKind.Mobile] as const;

/**
 * `auth` success -> connection active and its attempt succeeded; `auth` error and the 2026 `auth_cancelled`
 * -> attempt failed or cancelled, and no live connection for the provisional user id (terra-contract.md §5, §8).
 */
@Injectable()
export class AuthHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.Auth, TerraEventType.AuthCancelled];
  private readonly logger = new Logger(AuthHandler.name);

  async handle(context: EventContext): Promise<void> {
    const payload = asObject(context.event.payload);
    if (payload.type === TerraEventType.Auth && payload.status === 'success') return this.succeeded(context, payload);
    if (payload.type === TerraEventType.AuthCancelled || payload.status === 'error') return this.failed(context, payload);
    throw new PermanentEventError('auth event with a status other than success or error');
  }

  private async succeeded({ event, tx }: EventContext, payload: JsonObject): Promise<void> {
    const user = requireUser(payload);
    const referenceId = optionalString(payload.reference_id) ?? user.referenceId;
    const sessionId = optionalString(payload.widget_session_id);
    await applyStatusChange(tx, {
      terraUserId: user.userId,
      provider: user.provider,
      referenceId,
      scopes: user.scopes,
      status: ConnectionStatus.Active,
      reason: null,
      eventAt: event.eventAt,
      // An ended id stays ended (terra-contract.md §5: a reconnect gets a new id), however new this auth claims to be:
      // a retried auth re-signed after the deauth carries a later `t`. error -> active still works.
      unlessStatus: ENDED_STATUSES,
    });
    // Settled whatever the ordering decided: an auth overtaken by a newer state still answers its attempt.
    const attempt = await settleConnectionAttempt(tx, {
      status: AttemptStatus.Succeeded,
      reason: null,
      terraUserId: user.userId,
      provider: user.provider,
      referenceId,
      sessionId,
      fallbackKinds: [AttemptKind.Mobile],
    });
    if (!attempt) this.logger.debug(`auth success for event ${event.id} matched no pending attempt`);
  }

  private async failed({ event, tx }: EventContext, payload: JsonObject): Promise<void> {
    const user = readUser(payload.user);
    const reasonCode = optionalString(payload.reason);
    const cancelled = payload.type === TerraEventType.AuthCancelled || reasonCode === 'auth_cancelled';
    const reason = reasonCode ?? optionalString(payload.message) ?? 'authentication failed';
    await settleConnectionAttempt(tx, {
      status: cancelled ? AttemptStatus.Cancelled : AttemptStatus.Failed,
      reason,
      terraUserId: user?.userId ?? null,
      provider: optionalString(payload.provider) ?? user?.provider ?? null,
      referenceId: optionalString(payload.reference_id) ?? user?.referenceId ?? null,
      sessionId: optionalString(payload.widget_session_id) ?? optionalString(payload.flow_id),
      fallbackKinds: user ? [AttemptKind.Mobile] : ALL_KINDS,
    });
    if (!user) return;
    // Terra deleted the provisional user: it must not stay live here. Never creates a row for it.
    await tx.query(
      `UPDATE terra_connections
         SET status = '${ConnectionStatus.Disconnected}', status_reason = $2, disconnected_at = $3,
             status_changed_at = $3, updated_at = now()
       WHERE terra_user_id = $1 AND status IN ('${ConnectionStatus.Active}', '${ConnectionStatus.Error}')
         AND (status_changed_at IS NULL OR status_changed_at < $3)`,
      [user.userId, `authentication failed: ${reason}`, event.eventAt],
    );
  }
}
