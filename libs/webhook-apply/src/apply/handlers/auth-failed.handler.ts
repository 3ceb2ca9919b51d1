import { Injectable } from '@nestjs/common';
import { AttemptKind, AttemptStatus } from '@terra-connections/persistence';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

const ALL_KINDS = [AttemptKind.Widget, AttemptKind.Direct, AttemptKind.Mobile] as const;

type AuthFailureKind = 'auth_error' | 'auth_cancelled';

/**
 * `auth` error and the 2026 `auth_cancelled` -> the attempt failed or was cancelled, and no live connection
 * for the provisional user id, which Terra has already deleted (terra-contract.md §5, §8).
 */
@Injectable()
export class AuthFailedHandler implements WebhookEventHandler<AuthFailureKind> {
  readonly kinds = ['auth_error', 'auth_cancelled'] as const;

  async handle({ inbox, event, state }: EventContextOf<AuthFailureKind>): Promise<void> {
    const { user } = event;
    const cancelled = event.kind === 'auth_cancelled' || event.reason === 'auth_cancelled';
    const reason = event.reason ?? event.message ?? 'authentication failed';
    await state.settleAttempt({
      status: cancelled ? AttemptStatus.Cancelled : AttemptStatus.Failed,
      reason,
      terraUserId: user?.userId ?? null,
      provider: event.provider ?? user?.provider ?? null,
      referenceId: event.referenceId ?? user?.referenceId ?? null,
      sessionId: event.widgetSessionId ?? event.flowId,
      fallbackKinds: user ? [AttemptKind.Mobile] : ALL_KINDS,
    }, inbox.eventAt);
    if (user) await state.endFailedAuth(user.userId, `authentication failed: ${reason}`, inbox.eventAt);
  }
}
