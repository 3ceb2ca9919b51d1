import { Injectable, Logger } from '@nestjs/common';
import { AttemptKind, AttemptStatus } from '@terra-connections/persistence';
import { connectionOf } from '@terra-connections/connections';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/** `auth` success -> connection active (unless the id has ended) and its attempt succeeded (terra-contract.md §5, §8). */
@Injectable()
export class AuthSucceededHandler implements WebhookEventHandler<'auth_success'> {
  readonly kinds = ['auth_success'] as const;
  private readonly logger = new Logger(AuthSucceededHandler.name);

  async handle({ inbox, event, state }: EventContextOf<'auth_success'>): Promise<void> {
    const referenceId = event.referenceId ?? event.user.referenceId;
    await state.activate({ ...connectionOf(event.user), referenceId }, inbox.eventAt);
    // Settled whatever the ordering decided: an auth overtaken by a newer state still answers its attempt.
    const attempt = await state.settleAttempt({
      status: AttemptStatus.Succeeded,
      reason: null,
      terraUserId: event.user.userId,
      provider: event.user.provider,
      referenceId,
      sessionId: event.widgetSessionId,
      fallbackKinds: [AttemptKind.Mobile],
    });
    if (!attempt) this.logger.debug(`auth success for event ${inbox.id} matched no pending attempt`);
  }
}
