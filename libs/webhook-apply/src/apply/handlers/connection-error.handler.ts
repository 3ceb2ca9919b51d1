import { Injectable } from '@nestjs/common';
import { connectionOf } from '@terra-connections/connections';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `connection_error` -> error with Terra's message. Not terminal: a later `auth` brings the id back. A
 * deleted id (disconnected, revoked, replaced) cannot degrade, so those are left alone.
 */
@Injectable()
export class ConnectionErrorHandler implements WebhookEventHandler<'connection_error'> {
  readonly kinds = ['connection_error'] as const;

  async handle({ inbox, event, state }: EventContextOf<'connection_error'>): Promise<void> {
    await state.markError(connectionOf(event.user), event.message ?? 'connection error', inbox.eventAt);
  }
}
